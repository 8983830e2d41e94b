package org.tesjames.core.membership;

/** The steps of the TES membership check of a domain D under the registry root R. */
public enum Step {
    /** D is not a syntactically valid domain name: no query is made. */
    DOMAIN_SYNTAX("domain syntax"),
    /** Step 1: {@code tes-master.D} must be a CNAME; its target is the master M. */
    TES_MASTER("CNAME tes-master.D"),
    /** Step 2: TXT {@code D.tes-member.M} must exist: the master vouches for the domain. */
    MEMBER_OF_MASTER("TXT D.tes-member.M"),
    /** Step 3: TXT {@code M.tes-member.R} must exist: the registry vouches for the master. */
    MASTER_IN_REGISTRY("TXT M.tes-member.R"),
    /** The whole chain did not complete within the lookup deadline. */
    DEADLINE("lookup deadline");

    private final String description;

    Step(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}

package org.tesjames.matchers;

import javax.mail.MessagingException;

import org.apache.mailet.base.GenericMatcher;

/** Base of the TES matchers, which take no condition: a non-empty one fails {@code init}, naming it. */
abstract class NoConditionMatcher extends GenericMatcher {
    @Override
    public final void init() throws MessagingException {
        String condition = getCondition();
        if (condition != null && !condition.isBlank()) {
            throw new MessagingException(getClass().getSimpleName() + " takes no condition, got '" + condition
                + "': write match=\"" + getClass().getName() + "\"");
        }
    }
}

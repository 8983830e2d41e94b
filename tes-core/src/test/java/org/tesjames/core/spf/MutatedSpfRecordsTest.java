package org.tesjames.core.spf;

import org.junit.jupiter.api.Test;
import org.tesjames.core.Mutations;

/** SPF records and macro strings on mutated copies of valid ones: see {@code MutatedRecordsTest}. */
class MutatedSpfRecordsTest {
    private static final String[] RECORDS = {
        "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:%{d} include:_spf.%{d2} exists:%{ir}.%{l1r+-}._spf.%{d}"
            + " ptr:%{d} -all",
        "v=spf1 redirect=_spf.example.com exp=explain.%{d}", "v=spf1 a:%{h}/24//64 ?all foo=%{c}%{r}%{t}"};

    @Test
    void records() {
        Mutations.acceptsOrRefuses(21, SpfSyntaxException.class, SpfRecord::parse, RECORDS);
    }

    @Test
    void macroStrings() {
        for (MacroString.Use use : MacroString.Use.values()) {
            Mutations.acceptsOrRefuses(22 + use.ordinal(), SpfSyntaxException.class,
                text -> MacroString.parse(text, use), "%{ir}.%{l1r+-}._spf.%{d}", "_spf.%{d2}", "%{c} %{r} %{t}",
                "%{h}.%%.%_.%-");
        }
    }
}

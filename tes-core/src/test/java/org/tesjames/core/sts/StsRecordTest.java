package org.tesjames.core.sts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StsRecordTest {
    @Test
    void readsTheId() {
        assertThat(StsRecord.parse("v=STSv1; id=20160831085700Z;").id()).isEqualTo("20160831085700Z");
        assertThat(StsRecord.parse("v=STSv1;id=abc").id()).isEqualTo("abc");
    }

    @Test
    void acceptsExtensionFields() {
        assertThat(StsRecord.parse("v=STSv1; id=1; x-ext=value;").id()).isEqualTo("1");
    }

    @Test
    void onlyRecordsStartingWithTheVersionAreStsRecords() {
        assertThat(StsRecord.isStsRecord("v=STSv1; id=1;")).isTrue();
        assertThat(StsRecord.isStsRecord("v=spf1 -all")).isFalse();
        assertThat(StsRecord.isStsRecord(" v=STSv1; id=1;")).isFalse();
    }

    @Test
    void rejectsAMissingIdOrABadId() {
        assertThatThrownBy(() -> StsRecord.parse("v=STSv1;")).hasMessageContaining("no id");
        assertThatThrownBy(() -> StsRecord.parse("v=STSv1; id=has-dash;")).hasMessageContaining("letters and digits");
        assertThatThrownBy(() -> StsRecord.parse("v=STSv1; id=" + "a".repeat(33) + ";"))
            .hasMessageContaining("letters and digits");
    }

    @Test
    void rejectsADuplicatedFieldAndGarbage() {
        assertThatThrownBy(() -> StsRecord.parse("v=STSv1; id=1; id=2;")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> StsRecord.parse("v=STSv1; id=1; junk;")).hasMessageContaining("not name=value");
        assertThatThrownBy(() -> StsRecord.parse("v=STSv2; id=1;")).hasMessageContaining("v=STSv1");
    }
}

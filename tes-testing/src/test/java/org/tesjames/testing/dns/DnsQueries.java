package org.tesjames.testing.dns;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/** Small helpers for the tests: building queries and reading answers. */
final class DnsQueries {

    private DnsQueries() {
    }

    static Name name(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Message query(String name, int type) {
        return Message.newQuery(Record.newRecord(name(name), type, DClass.IN));
    }

    static Message send(Resolver resolver, String name, int type) throws IOException {
        return resolver.send(query(name, type));
    }

    static List<Record> answers(Message message) {
        return message.getSection(Section.ANSWER);
    }

    static List<Record> authority(Message message) {
        return message.getSection(Section.AUTHORITY);
    }

    /** The answer records of one type, e.g. the A records after a CNAME chain. */
    static List<Record> answers(Message message, int type) {
        return answers(message).stream().filter(r -> r.getType() == type).collect(Collectors.toList());
    }

    static List<String> rdata(List<Record> records) {
        return records.stream().map(Record::rdataToString).collect(Collectors.toList());
    }
}

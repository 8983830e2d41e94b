package org.tesjames.testing.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
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

    /**
     * Sends a query over UDP with a plain socket and waits for the answer: no dnsjava client machinery
     * (whose NIO selector may add latency) between the test and the server.
     */
    static Message sendRawUdp(InetSocketAddress server, Message query, Duration timeout) throws IOException {
        byte[] out = query.toWire();
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout((int) timeout.toMillis());
            socket.send(new DatagramPacket(out, out.length, server));
            DatagramPacket in = new DatagramPacket(new byte[65535], 65535);
            socket.receive(in);
            return new Message(Arrays.copyOf(in.getData(), in.getLength()));
        }
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

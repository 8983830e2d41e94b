package org.tesjames.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.tesjames.it.harness.JamesConf;
import org.tesjames.it.harness.TesJamesServer;
import org.tesjames.testing.smtp.SmtpReply;

/**
 * What the SMTP load drivers share: the JVM set-up for booting James with the shipped configuration, option
 * values, local users, the messages sent, SMTP reply checks and statistics.
 */
final class LoadHarness {
    static final String LOCAL_DOMAIN = "bench.test";
    static final String PASSWORD = "secret";

    private LoadHarness() {
    }

    /**
     * Points the James harness at the shipped configuration (the system property {@code tes.conf.dir}, else
     * {@code james-conf/src/main/conf} under the current directory) and keeps a failed boot from exiting the JVM.
     */
    static void prepareJvm() {
        if (System.getProperty(JamesConf.CONF_DIR_PROPERTY) == null) {
            Path conf = Path.of("james-conf/src/main/conf").toAbsolutePath();
            if (!Files.isDirectory(conf)) {
                throw new IllegalStateException("no " + conf + ": run from the project root or set -D"
                    + JamesConf.CONF_DIR_PROPERTY);
            }
            System.setProperty(JamesConf.CONF_DIR_PROPERTY, conf.toString());
        }
        System.setProperty("james.exit.on.startup.error", "false");
    }

    /** The value of an option that takes one, or an error naming the option. */
    static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("option " + args[i] + " needs a value");
        }
        return args[i + 1];
    }

    static int nonNegative(String option, String text) {
        return "0".equals(text) ? 0 : positive(option, text);
    }

    static int positive(String option, String text) {
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a positive integer: '" + text + "'");
    }

    /** Creates {@code count} local users {@code user<i>@bench.test} and returns their addresses. */
    static List<String> addUsers(TesJamesServer james, int count) throws Exception {
        List<String> users = userAddresses(count);
        for (String user : users) {
            james.addUser(user, PASSWORD);
        }
        return users;
    }

    /** The addresses {@link #addUsers} creates. */
    static List<String> userAddresses(int count) {
        List<String> users = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            users.add("user" + i + "@" + LOCAL_DOMAIN);
        }
        return users;
    }

    /** The body of the load's messages: 12 lines of 76 characters (about 1 kB). */
    static byte[] smallBody() {
        return ("x".repeat(76) + "\r\n").repeat(12).getBytes(StandardCharsets.US_ASCII);
    }

    /** A message from {@code sender} to {@code recipient}: a minimal header, then {@code body}. */
    static byte[] message(String sender, String recipient, int n, byte[] body) {
        return message(new byte[0], sender, recipient, n, body);
    }

    /** {@link #message(String, String, int, byte[])} with {@code trace} (whole header lines) first in its header. */
    static byte[] message(byte[] trace, String sender, String recipient, int n, byte[] body) {
        String domain = sender.substring(sender.indexOf('@') + 1);
        String headers = "From: <" + sender + ">\r\nTo: <" + recipient + ">\r\n"
            + "Subject: load " + n + "\r\nMessage-ID: <load-" + n + "@" + domain + ">\r\n\r\n";
        byte[] head = headers.getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[trace.length + head.length + body.length];
        System.arraycopy(trace, 0, message, 0, trace.length);
        System.arraycopy(head, 0, message, trace.length, head.length);
        System.arraycopy(body, 0, message, trace.length + head.length, body.length);
        return message;
    }

    /**
     * {@code count} {@code Received} fields of earlier hops, newest first, each folded over three lines as relays
     * write them (about 200 octets each).
     */
    static byte[] receivedFields(int count) {
        StringBuilder fields = new StringBuilder();
        for (int hop = count; hop >= 1; hop--) {
            fields.append("Received: from relay").append(hop).append(".origin.example (relay").append(hop)
                .append(".origin.example [192.0.2.").append(hop).append("])\r\n\tby relay").append(hop + 1)
                .append(".origin.example (Postfix) with ESMTPS id 4Xq").append(hop).append("Zr7mKp2wN\r\n")
                .append("\tfor <list@origin.example>; Thu, 15 Jan 2026 10:00:").append(10 + hop % 50)
                .append(" +0000\r\n");
        }
        return fields.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static void expect(SmtpReply reply, int code, String step) {
        if (reply.code() != code) {
            throw new IllegalStateException(step + ": expected " + code + ", got " + reply);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** The nearest-rank percentile ({@code 0 < p <= 100}) of non-empty values. */
    static long percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}

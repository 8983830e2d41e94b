package org.tesjames.it.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads James's Prometheus text ({@code /metrics}) and the README's table of TES metrics. James exports its
 * Dropwizard metrics with every character outside {@code [A-Za-z0-9_:]} turned into {@code _}: the counter
 * {@code tes.dns.outcome.TXT.answer} (a Dropwizard meter) is the Prometheus counter
 * {@code tes_dns_outcome_TXT_answer_total}; a timer is a summary whose samples are {@code <name>{quantile="..."}}
 * and {@code <name>_count}.
 */
final class Metrics {
    private static final Pattern FAMILY = Pattern.compile("^# TYPE (tes_\\S+) (\\S+)$", Pattern.MULTILINE);
    private static final Pattern README_ROW = Pattern.compile("^\\| (`tes\\.[^|]+)\\|", Pattern.MULTILINE);
    private static final Pattern QUOTED = Pattern.compile("`([^`]+)`");
    private static final Pattern PLACEHOLDER = Pattern.compile("<[^>]+>");

    private Metrics() {
    }

    /** The TES metric families of a Prometheus text page. */
    static Set<String> tesNames(String prometheusText) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = FAMILY.matcher(prometheusText);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /**
     * The names of the README's "Metrics" table (first column, each in back quotes), as patterns of Prometheus names:
     * a {@code <placeholder>} stands for one or more name characters.
     */
    static List<Pattern> readmePatterns() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("\n### Metrics\n");
        if (start < 0) {
            throw new IllegalStateException("no '### Metrics' section in the README");
        }
        int end = readme.indexOf("\n#", start + 1);
        Matcher rows = README_ROW.matcher(readme.substring(start, end < 0 ? readme.length() : end));
        List<Pattern> patterns = new ArrayList<>();
        while (rows.find()) {
            Matcher names = QUOTED.matcher(rows.group(1));
            while (names.find()) {
                patterns.add(prometheusPattern(names.group(1)));
            }
        }
        return patterns;
    }

    static Pattern prometheusPattern(String documented) {
        StringBuilder regex = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(documented);
        int last = 0;
        while (placeholder.find()) {
            regex.append(Pattern.quote(sanitise(documented.substring(last, placeholder.start()))));
            regex.append("[A-Za-z0-9_]+");
            last = placeholder.end();
        }
        regex.append(Pattern.quote(sanitise(documented.substring(last))));
        return Pattern.compile(regex.toString());
    }

    /** The metric families no pattern matches (a counter's {@code _total} suffix is not part of its name). */
    static List<String> undocumented(Set<String> names, List<Pattern> patterns) {
        return names.stream()
            .filter(name -> patterns.stream()
                .noneMatch(pattern -> pattern.matcher(name.replaceFirst("_total$", "")).matches()))
            .toList();
    }

    private static String sanitise(String name) {
        return name.replaceAll("[^A-Za-z0-9_:]", "_");
    }
}

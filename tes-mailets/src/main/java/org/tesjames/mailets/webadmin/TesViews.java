package org.tesjames.mailets.webadmin;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.tesjames.core.dane.DaneLookup;
import org.tesjames.core.dane.TlsaSelection;
import org.tesjames.core.dane.delivery.HostPlan;
import org.tesjames.core.dkim.sign.DkimKey;
import org.tesjames.core.dkim.sign.DkimKeyStore;
import org.tesjames.core.dkim.sign.DkimRecordCheck;
import org.tesjames.core.dns.DnsResult;
import org.tesjames.core.dns.RecordingDnsClient;
import org.tesjames.core.dnssec.DnssecStatus;
import org.tesjames.core.membership.MembershipVerdict;
import org.tesjames.core.sts.StsInspection;
import org.tesjames.core.sts.StsLookup;
import org.tesjames.mailets.OutboundPlanning;
import org.tesjames.mailets.dns.MeteredDnsClient;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The JSON bodies of {@link TesRoutes}: records rendered by James's {@code JsonTransformer} (Jackson), absent
 * values left out. Names of the TES vocabulary are lower case with hyphens ({@code temporary-failure},
 * {@code secure-usable}, {@code dane-tls}); DNS outcomes as the metrics name them ({@code answer}, {@code nxdomain},
 * {@code nodata}, {@code SERVFAIL}, {@code TIMEOUT}, ...).
 */
final class TesViews {
    private TesViews() {
    }

    /** One DNS query and its outcome. {@code ttl} in seconds (the remaining cache time for a cached outcome). */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record Query(String name, String type, String outcome, Optional<Long> ttl, Optional<Boolean> authenticated,
                 List<String> records, Optional<String> detail) {
        static Query of(Name name, int type, DnsResult result) {
            Optional<Long> ttl = result instanceof DnsResult.Failure ? Optional.empty()
                : Optional.of(result.ttl().toSeconds());
            Optional<Boolean> authenticated = Optional.empty();
            List<String> records = List.of();
            Optional<String> detail = Optional.empty();
            if (result instanceof DnsResult.Answer answer) {
                authenticated = Optional.of(answer.authenticated());
                records = answer.records().stream().map(Record::toString).toList();
            } else if (result instanceof DnsResult.NxDomain nxDomain) {
                authenticated = Optional.of(nxDomain.authenticated());
            } else if (result instanceof DnsResult.NoData noData) {
                authenticated = Optional.of(noData.authenticated());
            } else if (result instanceof DnsResult.Failure failure) {
                detail = Optional.of(failure.detail());
            }
            return new Query(name.toString(), Type.string(type), MeteredDnsClient.outcome(result), ttl, authenticated,
                records, detail);
        }

        static Query of(RecordingDnsClient.Exchange exchange) {
            return of(exchange.name(), exchange.type(), exchange.result());
        }

        static Query of(DnsResult result) {
            return of(result.name(), result.type(), result);
        }
    }

    /**
     * The membership of a domain ({@code GET /tes/membership/{domain}}).
     *
     * @param verdict {@code member}, {@code not-member} or {@code temporary-failure}
     * @param master the master M of a member
     * @param ttl seconds the verdict holds (member, not-member)
     * @param step the step that decided a not-member or failed
     * @param reason why not a member, or why the lookup failed
     * @param queries every query of the chain, in the order sent
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record Membership(String domain, String registryRoot, boolean cache, String verdict, Optional<String> master,
                      Optional<Long> ttl, Optional<String> step, Optional<String> reason, List<Query> queries) {
        static Membership of(MembershipVerdict verdict, String registryRoot, boolean cache, List<Query> queries) {
            if (verdict instanceof MembershipVerdict.Member member) {
                return new Membership(member.domain(), registryRoot, cache, "member",
                    Optional.of(member.master().toString(true)), Optional.of(member.ttl().toSeconds()),
                    Optional.empty(), Optional.empty(), queries);
            }
            if (verdict instanceof MembershipVerdict.NotMember notMember) {
                return new Membership(notMember.domain(), registryRoot, cache, "not-member", Optional.empty(),
                    Optional.of(notMember.ttl().toSeconds()), Optional.of(notMember.step().description()),
                    Optional.of(notMember.reason()), queries);
            }
            MembershipVerdict.TemporaryFailure failure = (MembershipVerdict.TemporaryFailure) verdict;
            return new Membership(failure.domain(), registryRoot, cache, "temporary-failure", Optional.empty(),
                Optional.empty(), Optional.of(failure.step().description()), Optional.of(failure.reason()), queries);
        }
    }

    /** A membership verdict in one line, as the DANE plan quotes it. */
    record MembershipSummary(String verdict, String description) {
        static MembershipSummary of(MembershipVerdict verdict) {
            String label = verdict instanceof MembershipVerdict.Member ? "member"
                : verdict instanceof MembershipVerdict.NotMember ? "not-member" : "temporary-failure";
            return new MembershipSummary(label, verdict.describe());
        }
    }

    /**
     * The outbound plan of a destination ({@code GET /tes/dane/{domain}}).
     *
     * @param policy {@code dane-required} (member) or {@code dane-opportunistic}; absent when the membership
     *     lookup failed
     * @param delivery {@code deliver} (a host can be tried), {@code retry} (every host refused: a temporary
     *     failure), {@code bounce} (no mail host: null MX), {@code reschedule} (the membership lookup failed: the
     *     mail waits in {@code relay-reschedule})
     * @param mx the MX lookup; absent when no DANE lookup was made or it did not finish
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record DanePlan(String domain, MembershipSummary membership, Optional<String> policy, String delivery,
                    Optional<Mx> mx, List<Host> hosts) {
    }

    /** The MX lookup of a destination: {@code source} {@code mx}, {@code implicit}, {@code null-mx}, ... */
    record Mx(String source, String dnssec, Query query) {
        static Mx of(DaneLookup.Destination destination) {
            return new Mx(OutboundPlanning.label(destination.mxSource()), dnssecLabel(destination.mxStatus()),
                Query.of(destination.mx()));
        }
    }

    /**
     * One MX host: the DNS facts (absent for a refusal without a lookup behind it) and what delivery does.
     *
     * @param outcome the DANE outcome ({@code secure-usable}, {@code secure-unusable}, {@code insecure},
     *     {@code indeterminate})
     * @param action {@code dane-tls}, {@code tls-unauthenticated}, {@code opportunistic-tls} or {@code refuse}
     * @param connectTo the address delivery connects to
     * @param reason why (the DSN and log text)
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record Host(String host, Optional<Integer> preference, List<String> addresses, Optional<String> addressDnssec,
                List<Query> addressQueries, Optional<String> tlsaBaseDomain, List<Query> tlsaQueries,
                List<Tlsa> tlsa, String outcome, String action, Optional<String> connectTo, String reason) {
        static Host of(HostPlan plan, Optional<DaneLookup.Host> facts) {
            Optional<String> connectTo = plan.address().map(InetAddress::getHostAddress);
            if (facts.isEmpty()) {
                return new Host(plan.host(), Optional.empty(), List.of(), Optional.empty(), List.of(),
                    Optional.empty(), List.of(), List.of(), OutboundPlanning.label(plan.outcome()),
                    OutboundPlanning.label(plan.action()), connectTo, plan.reason());
            }
            DaneLookup.Host host = facts.get();
            return new Host(plan.host(), Optional.of(host.preference()),
                host.addresses().stream().map(record -> record.rdataToString()).toList(),
                Optional.of(dnssecLabel(host.addressStatus())), List.of(Query.of(host.a()), Query.of(host.aaaa())),
                Optional.of(host.tlsaBaseDomain().toString(true)),
                host.tlsaQueries().stream().map(query -> Query.of(query.result())).toList(),
                host.selection().map(selection -> selection.assessments().stream().map(Tlsa::of).toList())
                    .orElse(List.of()),
                OutboundPlanning.label(plan.outcome()), OutboundPlanning.label(plan.action()), connectTo,
                plan.reason());
        }
    }

    /**
     * A record of a secure TLSA RRset and whether an SMTP client uses it.
     *
     * @param usability {@code usable}, {@code unusable} or {@code ignored-weaker-digest}
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Tlsa(String record, String usability, String reason) {
        static Tlsa of(TlsaSelection.Assessment assessment) {
            return new Tlsa(assessment.record().toString(), OutboundPlanning.label(assessment.status()),
                assessment.reason());
        }
    }

    private static String dnssecLabel(DnssecStatus status) {
        return OutboundPlanning.label(status);
    }

    /**
     * The MTA-STS facts of a destination ({@code GET /tes/sts/{domain}}).
     *
     * @param state {@code policy} (one applies), {@code no-policy} or {@code temporary-failure} (the TXT lookup or
     *     the policy fetch failed temporarily, and no cached policy covers it)
     * @param txt the {@code _mta-sts} TXT lookup
     * @param records the TXT texts found there
     * @param policy the policy in force
     * @param reason why there is no policy
     * @param problem the failure to report (RFC 8460 type and detail): why there is no policy, or why a cached one
     *     is used after a failed refresh
     * @param mx the MX lookup, made with a policy
     * @param hosts each MX host with the policy's verdict
     */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record Sts(String domain, String state, Query txt, List<String> records, Optional<StsPolicyView> policy,
               Optional<String> reason, Optional<String> problem, Optional<Query> mx, List<StsHost> hosts) {
        static Sts of(String domain, StsInspection inspection) {
            Optional<String> problem = Optional.empty();
            Optional<StsPolicyView> policy = Optional.empty();
            Optional<String> reason = Optional.empty();
            String state;
            if (inspection.lookup() instanceof StsLookup.Found found) {
                state = "policy";
                policy = Optional.of(StsPolicyView.of(found));
                problem = found.problem().map(StsLookup.Problem::toString);
            } else {
                StsLookup.None none = (StsLookup.None) inspection.lookup();
                state = inspection.temporaryFailure() ? "temporary-failure" : "no-policy";
                reason = Optional.of(none.reason());
                problem = none.problem().map(StsLookup.Problem::toString);
            }
            return new Sts(domain, state, Query.of(inspection.txt()), inspection.txtRecords(), policy, reason,
                problem, inspection.mx().map(Query::of),
                inspection.hosts().stream().map(host -> new StsHost(host.preference(), host.host(), host.admitted()))
                    .toList());
        }
    }

    /**
     * The policy in force.
     *
     * @param source {@code fetched}, {@code cached} or {@code cached-after-failure}
     * @param maxAge seconds
     */
    record StsPolicyView(String mode, List<String> mx, long maxAge, String id, Instant fetchedAt, Instant expiresAt,
                         String source) {
        static StsPolicyView of(StsLookup.Found found) {
            return new StsPolicyView(found.policy().mode().label(), found.policy().mx(),
                found.policy().maxAge().toSeconds(), found.id(), found.fetchedAt(), found.expiresAt(),
                found.source().label());
        }
    }

    /** An MX host of a destination with a policy, and whether the policy admits it. */
    record StsHost(int preference, String host, boolean admitted) {
    }

    /** The DKIM signing keys ({@code GET /tes/dkim/keys}). */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record DkimKeys(boolean enabled, Optional<String> directory, Optional<Instant> loadedAt, List<DkimKeyView> keys,
                    List<Problem> problems) {
    }

    /**
     * One key file.
     *
     * @param algorithm the key type ({@code rsa}, {@code ed25519})
     * @param record the published record compared with the key, as {@code tes dkim check} does
     */
    record DkimKeyView(String domain, String selector, String algorithm, int bits, boolean active, String file,
                       String expectedRecord, DkimRecord record) {
        static DkimKeyView of(DkimKey key, boolean active, DkimRecordCheck check) {
            return new DkimKeyView(key.domain(), key.selector(), key.type().keyTag(), key.bits(), active,
                key.file().toString(), key.keyRecord().text(), DkimRecord.of(check));
        }
    }

    /**
     * The published key record.
     *
     * @param status {@code match}, {@code mismatch} or {@code temporary-failure}
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record DkimRecord(String name, String status, List<String> published, String reason) {
        static DkimRecord of(DkimRecordCheck check) {
            return new DkimRecord(check.name().toString(), OutboundPlanning.label(check.status()), check.published(),
                check.reason());
        }
    }

    /** A key file or setting that could not be used. */
    record Problem(String file, String domain, String reason) {
        static Problem of(DkimKeyStore.Problem problem) {
            return new Problem(problem.file().toString(), problem.domain(), problem.reason());
        }
    }

    /** The outcome of {@code POST /tes/dkim/keys?action=reload}. */
    record DkimReload(Instant loadedAt, List<String> domains, List<Problem> problems) {
    }

    /** The outcome of {@code DELETE /tes/dns/cache}: the entries removed from both caches. */
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record CacheFlush(Optional<String> name, int removed) {
    }

    /** One setting of {@code tes.properties}: its effective value and the default (secrets redacted). */
    record Setting(String key, String value, String defaultValue, boolean isDefault) {
    }
}

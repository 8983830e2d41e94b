package org.tesjames.testing.dns;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Computes the answer to a query from the zone snapshots, shaped as a recursive resolver's answer: RA
 * set, no AA, no referral, CNAME chains followed through every zone the server holds, negative answers
 * with the SOA (and, with the DO bit, the NSEC proofs) of the zone holding the last name.
 */
final class QueryEngine {

    /** Longest CNAME chain followed before answering SERVFAIL (a loop, most likely). */
    static final int MAX_CHAIN = 16;

    private final ZoneRegistry registry;
    private final UnknownNamePolicy unknownNamePolicy;
    private final int udpPayloadSize;

    QueryEngine(ZoneRegistry registry, UnknownNamePolicy unknownNamePolicy, int udpPayloadSize) {
        this.registry = registry;
        this.unknownNamePolicy = unknownNamePolicy;
        this.udpPayloadSize = udpPayloadSize;
    }

    /** The full answer to a parsed query that has a question. */
    Message answer(Message query) {
        OPTRecord queryOpt = query.getOPT();
        if (queryOpt != null && queryOpt.getVersion() != 0) {
            Message response = skeleton(query, Rcode.NOERROR);
            response.addRecord(new OPTRecord(udpPayloadSize, Rcode.BADVERS >>> 4, 0, doFlag(query)), Section.ADDITIONAL);
            return response;
        }
        Record question = query.getQuestion();
        int rcode;
        Message response;
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            response = skeleton(query, Rcode.NOTIMP);
        } else if (question.getDClass() != DClass.IN || isTransferOrMeta(question.getType())) {
            response = skeleton(query, Rcode.REFUSED);
        } else {
            response = skeleton(query, Rcode.NOERROR);
            rcode = resolve(response, question.getName(), question.getType(), isDnssecOk(query));
            response.getHeader().setRcode(rcode);
        }
        addOpt(query, response);
        return response;
    }

    /** An answer with the given RCODE, the question echoed and no record but the OPT. */
    Message error(Message query, int rcode) {
        Message response = skeleton(query, rcode);
        addOpt(query, response);
        return response;
    }

    /** The UDP size limit for the answer to a query: its EDNS payload size, 512 without EDNS. */
    static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? 512 : Math.max(512, opt.getPayloadSize());
    }

    /** A copy of an answer's header and question (and OPT), with the TC flag and nothing else. */
    static Message truncate(Message response) {
        Message truncated = new Message(response.getHeader().getID());
        Header header = truncated.getHeader();
        Header original = response.getHeader();
        for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
            if (original.getFlag(flag)) {
                header.setFlag(flag);
            }
        }
        header.setFlag(Flags.TC);
        header.setOpcode(original.getOpcode());
        header.setRcode(original.getRcode());
        Record question = response.getQuestion();
        if (question != null) {
            truncated.addRecord(question, Section.QUESTION);
        }
        OPTRecord opt = response.getOPT();
        if (opt != null) {
            truncated.addRecord(opt, Section.ADDITIONAL);
        }
        return truncated;
    }

    private int resolve(Message response, Name qname, int qtype, boolean dnssec) {
        Name name = qname;
        Set<Name> seen = new LinkedHashSet<>();
        for (int hop = 0; hop <= MAX_CHAIN; hop++) {
            if (!seen.add(name)) {
                return Rcode.SERVFAIL;
            }
            TestZone zone = registry.zoneFor(name, qtype);
            ZoneSnapshot snapshot = registry.snapshot(zone);
            if (zone == registry.root() && !name.equals(Name.root) && !snapshot.exists(name)
                    && unknownNamePolicy != UnknownNamePolicy.NXDOMAIN) {
                if (hop > 0) {
                    // A CNAME leading out of the test's DNS: the chain known so far.
                    return Rcode.NOERROR;
                }
                return unknownNamePolicy == UnknownNamePolicy.REFUSED ? Rcode.REFUSED : Rcode.SERVFAIL;
            }

            Map<Integer, ZoneSnapshot.SignedSet> node = snapshot.node(name);
            if (node == null) {
                if (snapshot.isEmptyNonTerminal(name)) {
                    addNoData(response, snapshot, name, dnssec);
                    return Rcode.NOERROR;
                }
                addNameError(response, snapshot, name, dnssec);
                return Rcode.NXDOMAIN;
            }
            if (qtype == Type.ANY) {
                node.values().forEach(set -> addSet(response, set, dnssec));
                return Rcode.NOERROR;
            }
            if (qtype == Type.RRSIG) {
                List<Record> sigs = new ArrayList<>();
                node.values().forEach(set -> sigs.addAll(set.sigs()));
                if (sigs.isEmpty()) {
                    addNoData(response, snapshot, name, dnssec);
                } else {
                    sigs.forEach(sig -> response.addRecord(sig, Section.ANSWER));
                }
                return Rcode.NOERROR;
            }
            ZoneSnapshot.SignedSet set = node.get(qtype);
            if (set != null) {
                addSet(response, set, dnssec);
                return Rcode.NOERROR;
            }
            ZoneSnapshot.SignedSet cname = node.get(Type.CNAME);
            if (cname != null) {
                addSet(response, cname, dnssec);
                name = ((CNAMERecord) cname.records.get(0)).getTarget();
                continue;
            }
            addNoData(response, snapshot, name, dnssec);
            return Rcode.NOERROR;
        }
        return Rcode.SERVFAIL;
    }

    private static void addNoData(Message response, ZoneSnapshot zone, Name name, boolean dnssec) {
        addSet(response, Section.AUTHORITY, zone.negativeSoa(), dnssec);
        if (dnssec && zone.signed()) {
            Map<Integer, ZoneSnapshot.SignedSet> node = zone.node(name);
            // At an existing name its own NSEC (type bitmap); at an empty non-terminal the covering one.
            ZoneSnapshot.SignedSet nsec = node != null ? node.get(Type.NSEC) : zone.coveringNsec(name);
            addSet(response, Section.AUTHORITY, nsec, true);
        }
    }

    private static void addNameError(Message response, ZoneSnapshot zone, Name name, boolean dnssec) {
        addSet(response, Section.AUTHORITY, zone.negativeSoa(), dnssec);
        if (dnssec && zone.signed()) {
            Name owner = zone.coveringNsecOwner(name);
            addSet(response, Section.AUTHORITY, zone.coveringNsec(name), true);
            try {
                Name wildcard = Name.concatenate(Name.fromConstantString("*"), zone.closestEncloser(name));
                if (!zone.coveringNsecOwner(wildcard).equals(owner)) {
                    addSet(response, Section.AUTHORITY, zone.coveringNsec(wildcard), true);
                }
            } catch (NameTooLongException e) {
                // No wildcard can exist at that depth: nothing more to prove.
            }
        }
    }

    private static void addSet(Message response, ZoneSnapshot.SignedSet set, boolean dnssec) {
        addSet(response, Section.ANSWER, set, dnssec);
    }

    private static void addSet(Message response, int section, ZoneSnapshot.SignedSet set, boolean dnssec) {
        if (set == null) {
            return;
        }
        set.records.forEach(r -> response.addRecord(r, section));
        if (dnssec) {
            set.sigs().forEach(r -> response.addRecord(r, section));
        }
    }

    private static Message skeleton(Message query, int rcode) {
        Header queryHeader = query.getHeader();
        Message response = new Message(queryHeader.getID());
        Header header = response.getHeader();
        header.setFlag(Flags.QR);
        header.setFlag(Flags.RA);
        if (queryHeader.getFlag(Flags.RD)) {
            header.setFlag(Flags.RD);
        }
        if (queryHeader.getFlag(Flags.CD)) {
            header.setFlag(Flags.CD);
        }
        header.setOpcode(queryHeader.getOpcode());
        header.setRcode(rcode);
        Record question = query.getQuestion();
        if (question != null) {
            response.addRecord(question, Section.QUESTION);
        }
        return response;
    }

    private void addOpt(Message query, Message response) {
        if (query.getOPT() != null) {
            response.addRecord(new OPTRecord(udpPayloadSize, 0, 0, doFlag(query)), Section.ADDITIONAL);
        }
    }

    private static int doFlag(Message query) {
        return isDnssecOk(query) ? ExtendedFlags.DO : 0;
    }

    private static boolean isDnssecOk(Message query) {
        OPTRecord opt = query.getOPT();
        return opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
    }

    private static boolean isTransferOrMeta(int type) {
        return type == Type.AXFR || type == Type.IXFR || type == Type.MAILA || type == Type.MAILB
                || type == Type.OPT || type == Type.TSIG;
    }
}

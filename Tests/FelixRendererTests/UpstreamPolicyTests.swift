import CalicoModel
@testable import FelixRenderer
import Testing

/// felix/rules/policy_test.go: one Calico rule → felix's iptables rules, in felix's own text
/// (the text it hashes), with upstream's configuration: marks accept 0x80, pass 0x100, scratch
/// 0x200 and 0x400, no drop mark, log prefix "calico-packet". Upstream's proto.Rule carries
/// ipset ids; here the rule names ports and the renderer derives the named-port sets, which are
/// mapped back to upstream's `ipset-N` names. Left out: the IPv6 rows (pathsim renders IPv4)
/// and the selector-ipset rows (their set names are derived from selectors, covered by the
/// rendering goldens and felix-rules.md's recorded lines).
@Suite("felix policy_test.go")
struct UpstreamPolicyTests {
    static func renderer(logPrefix: String = "calico-packet", denyAction: FelixAction = .drop) throws -> PolicyRuleRenderer {
        var settings = try FelixSettings(configuration: FelixConfiguration(meta: ObjectMeta(name: "default")), options: RenderOptions(layout: .legacy, randomFully: false))
        settings.marks = try MarkBits(mask: 0x780, allocateDrop: false)
        settings.logPrefix = logPrefix
        settings.denyAction = denyAction
        return PolicyRuleRenderer(settings: settings, ipsets: IPSetRegistry(prefix: "cali40", modern: true, catalog: EndpointCatalog(cluster: Cluster(), dialect: .modern)))
    }

    static let owner = PolicyRuleRenderer.Owner(namespace: nil, origin: RuleOrigin(kind: "GlobalNetworkPolicy", name: "test", role: "test"),
                                                tier: "default", kindShort: "gnp", name: "test")

    /// The rules as felix's `RenderAppend("test", "")` prints them, named-port sets renamed to
    /// upstream's `cali40ipset-N` (N from the port name `pN`).
    static func render(_ rule: CalicoRule, with renderer: PolicyRuleRenderer? = nil) throws -> [String] {
        var renderer = try renderer ?? Self.renderer()
        let rules = try renderer.render(rule, owner: owner)
        var names: [String: String] = [:]
        var registry = IPSetRegistry(prefix: "cali40", modern: true, catalog: EndpointCatalog(cluster: Cluster(), dialect: .modern))
        for n in 1...4 {
            for proto in ["tcp", "udp"] { names[registry.namedPortSet(.all, proto: proto, port: "p\(n)")] = "cali40ipset-\(n)" }
        }
        return rules.map { rule in
            var text = rule.felixText(chain: "test", hashFragment: "").replacingOccurrences(of: "-A test  ", with: "-A test ")
            for (name, upstream) in names { text = text.replacingOccurrences(of: name + " ", with: upstream + " ") }
            return text
        }
    }

    static func ports(_ ranges: [(Int, Int)]) -> [PortSpec] { ranges.map { .range($0.0, $0.1) } }
    static let sixteenSlots = ports([(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14), (15, 16)])

    /// `ruleTestData`: (description, rule without action, expected match text).
    static let matchCases: [(String, CalicoRule, String)] = [
        ("Empty rule", CalicoRule(action: .allow), ""),
        ("Protocol name", CalicoRule(action: .allow, proto: .name("tcp")), "-p tcp"),
        ("Protocol num", CalicoRule(action: .allow, proto: .number(8)), "-p 8"),
        ("Source net", CalicoRule(action: .allow, source: EntityRule(nets: ["10.0.0.0/16"])), "--source 10.0.0.0/16"),
        ("Source ports", CalicoRule(action: .allow, source: EntityRule(ports: ports([(10, 12)]))), "-m multiport --source-ports 10:12"),
        ("Source ports (multiple)", CalicoRule(action: .allow, source: EntityRule(ports: ports([(10, 12), (20, 30), (8080, 8080)]))),
         "-m multiport --source-ports 10:12,20:30,8080"),
        ("ICMP", CalicoRule(action: .allow, icmp: .init(type: 10)), "-m icmp --icmp-type 10"),
        ("ICMP with code", CalicoRule(action: .allow, icmp: .init(type: 10, code: 12)), "-m icmp --icmp-type 10/12"),
        ("Dest net", CalicoRule(action: .allow, destination: EntityRule(nets: ["10.0.0.0/16"])), "--destination 10.0.0.0/16"),
        ("Dest ports", CalicoRule(action: .allow, destination: EntityRule(ports: ports([(10, 12)]))), "-m multiport --destination-ports 10:12"),
        ("Dest ports (multiple)", CalicoRule(action: .allow, destination: EntityRule(ports: ports([(10, 12), (20, 30), (8080, 8080)]))),
         "-m multiport --destination-ports 10:12,20:30,8080"),
        ("Negated protocol name", CalicoRule(action: .allow, notProtocol: .name("tcp")), "! -p tcp"),
        ("Negated protocol num", CalicoRule(action: .allow, notProtocol: .number(8)), "! -p 8"),
        ("Negated source net", CalicoRule(action: .allow, source: EntityRule(notNets: ["10.0.0.0/16"])), "! --source 10.0.0.0/16"),
        ("Negated source ports", CalicoRule(action: .allow, source: EntityRule(notPorts: ports([(10, 12)]))), "-m multiport ! --source-ports 10:12"),
        ("Negated source ports (multiple)", CalicoRule(action: .allow, source: EntityRule(notPorts: ports([(10, 12), (20, 30), (8080, 8080)]))),
         "-m multiport ! --source-ports 10:12,20:30,8080"),
        ("Negated source ports (>15) should be broken into blocks", CalicoRule(action: .allow, source: EntityRule(notPorts: sixteenSlots)),
         "-m multiport ! --source-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 -m multiport ! --source-ports 15:16"),
        ("Negated ICMP", CalicoRule(action: .allow, notICMP: .init(type: 10)), "-m icmp ! --icmp-type 10"),
        ("Negated ICMP with code", CalicoRule(action: .allow, notICMP: .init(type: 10, code: 12)), "-m icmp ! --icmp-type 10/12"),
        ("Negated dest net", CalicoRule(action: .allow, destination: EntityRule(notNets: ["10.0.0.0/16"])), "! --destination 10.0.0.0/16"),
        ("Negated dest ports", CalicoRule(action: .allow, destination: EntityRule(notPorts: ports([(10, 12)]))), "-m multiport ! --destination-ports 10:12"),
        ("Negated dest ports (>15) should be broken into blocks", CalicoRule(action: .allow, destination: EntityRule(notPorts: sixteenSlots)),
         "-m multiport ! --destination-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 -m multiport ! --destination-ports 15:16"),
        ("Negated dest ports (multiple)", CalicoRule(action: .allow, destination: EntityRule(notPorts: ports([(10, 12), (20, 30), (8080, 8080)]))),
         "-m multiport ! --destination-ports 10:12,20:30,8080"),
    ]

    static func withMatch(_ match: String, _ tail: String) -> String { match.isEmpty ? "-A test \(tail)" : "-A test \(match) \(tail)" }

    @Test(arguments: 0..<matchCases.count)
    func allowPassLogDenyAndReject(_ index: Int) throws {
        let (name, base, match) = Self.matchCases[index]
        var rule = base
        rule.action = .allow
        #expect(try Self.render(rule) == [Self.withMatch(match, "--jump MARK --set-mark 0x80/0x80"), "-A test -m mark --mark 0x80/0x80 --jump RETURN"], "allow: \(name)")
        rule.action = .pass
        #expect(try Self.render(rule) == [Self.withMatch(match, "--jump MARK --set-mark 0x100/0x100"), "-A test -m mark --mark 0x100/0x100 --jump RETURN"], "pass: \(name)")
        rule.action = .log
        #expect(try Self.render(rule) == [Self.withMatch(match, "--jump LOG --log-prefix \"calico-packet: \" --log-level 5")], "log: \(name)")
        #expect(try Self.render(rule, with: Self.renderer(logPrefix: "foobar")) == [Self.withMatch(match, "--jump LOG --log-prefix \"foobar: \" --log-level 5")],
                "log with non-default prefix: \(name)")
        rule.action = .deny
        #expect(try Self.render(rule) == [Self.withMatch(match, "--jump DROP")], "deny (DROP): \(name)")
        #expect(try Self.render(rule, with: Self.renderer(denyAction: .reject)) == [Self.withMatch(match, "--jump REJECT")], "deny (REJECT): \(name)")
    }

    static let clearBothMarks = "-A test --jump MARK --set-mark 0/0x600"
    static let preSetAllBlocks = "-A test --jump MARK --set-mark 0x200/0x600"
    static let allowIfAllMark = "-A test -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80"
    static let allowIfAllMarkAndTCP = "-A test -p tcp -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80"
    static let allowIfAllMarkAndUDP = "-A test -p udp -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80"
    static let returnRule = "-A test -m mark --mark 0x80/0x80 --jump RETURN"
    static let allBlocksPassAndEqThisBlockPass = "-A test -m mark --mark 0/0x400 --jump MARK --set-mark 0/0x200"

    /// "CIDR split tests": (src, !src, dst, !dst) CIDR counts → rules.
    static let cidrCases: [((Int, Int, Int, Int), [String])] = [
        ((2, 0, 0, 0), [clearBothMarks, "-A test --source 10.0.0.0/24 --jump MARK --set-mark 0x200/0x200",
                        "-A test --source 10.0.1.0/24 --jump MARK --set-mark 0x200/0x200", allowIfAllMark, returnRule]),
        ((0, 2, 0, 0), [preSetAllBlocks, "-A test --source 11.0.0.0/24 --jump MARK --set-mark 0/0x200",
                        "-A test --source 11.0.1.0/24 --jump MARK --set-mark 0/0x200", allowIfAllMark, returnRule]),
        ((0, 0, 2, 0), [clearBothMarks, "-A test --destination 12.0.0.0/24 --jump MARK --set-mark 0x200/0x200",
                        "-A test --destination 12.0.1.0/24 --jump MARK --set-mark 0x200/0x200", allowIfAllMark, returnRule]),
        ((0, 0, 0, 2), [preSetAllBlocks, "-A test --destination 13.0.0.0/24 --jump MARK --set-mark 0/0x200",
                        "-A test --destination 13.0.1.0/24 --jump MARK --set-mark 0/0x200", allowIfAllMark, returnRule]),
        ((1, 1, 0, 0), [preSetAllBlocks, "-A test --source 11.0.0.0/24 --jump MARK --set-mark 0/0x200",
                        "-A test --source 10.0.0.0/24 -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80", returnRule]),
        ((2, 1, 0, 0), [clearBothMarks, "-A test --source 10.0.0.0/24 --jump MARK --set-mark 0x200/0x200",
                        "-A test --source 10.0.1.0/24 --jump MARK --set-mark 0x200/0x200",
                        "-A test ! --source 11.0.0.0/24 -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80", returnRule]),
        ((0, 0, 1, 1), [preSetAllBlocks, "-A test --destination 13.0.0.0/24 --jump MARK --set-mark 0/0x200",
                        "-A test --destination 12.0.0.0/24 -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80", returnRule]),
        ((0, 0, 2, 1), [clearBothMarks, "-A test --destination 12.0.0.0/24 --jump MARK --set-mark 0x200/0x200",
                        "-A test --destination 12.0.1.0/24 --jump MARK --set-mark 0x200/0x200",
                        "-A test ! --destination 13.0.0.0/24 -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80", returnRule]),
        ((1, 1, 1, 1), [preSetAllBlocks, "-A test --source 11.0.0.0/24 --jump MARK --set-mark 0/0x200",
                        "-A test --destination 13.0.0.0/24 --jump MARK --set-mark 0/0x200",
                        "-A test --source 10.0.0.0/24 --destination 12.0.0.0/24 -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80", returnRule]),
        ((2, 2, 2, 2), [clearBothMarks,
                        "-A test --source 10.0.0.0/24 --jump MARK --set-mark 0x200/0x200", "-A test --source 10.0.1.0/24 --jump MARK --set-mark 0x200/0x200",
                        "-A test --destination 12.0.0.0/24 --jump MARK --set-mark 0x400/0x400", "-A test --destination 12.0.1.0/24 --jump MARK --set-mark 0x400/0x400",
                        allBlocksPassAndEqThisBlockPass,
                        "-A test --source 11.0.0.0/24 --jump MARK --set-mark 0/0x200", "-A test --source 11.0.1.0/24 --jump MARK --set-mark 0/0x200",
                        "-A test --destination 13.0.0.0/24 --jump MARK --set-mark 0/0x200", "-A test --destination 13.0.1.0/24 --jump MARK --set-mark 0/0x200",
                        allowIfAllMark, returnRule]),
    ]

    @Test(arguments: 0..<cidrCases.count)
    func cidrSplit(_ index: Int) throws {
        let ((source, notSource, destination, notDestination), expected) = Self.cidrCases[index]
        let rule = CalicoRule(action: .allow,
                              source: EntityRule(nets: Array(["10.0.0.0/24", "10.0.1.0/24"].prefix(source)), notNets: Array(["11.0.0.0/24", "11.0.1.0/24"].prefix(notSource))),
                              destination: EntityRule(nets: Array(["12.0.0.0/24", "12.0.1.0/24"].prefix(destination)), notNets: Array(["13.0.0.0/24", "13.0.1.0/24"].prefix(notDestination))))
        #expect(try Self.render(rule) == expected, "\(source) src, \(notSource) !src, \(destination) dst, \(notDestination) !dst")
    }

    static func named(_ numbers: [Int]) -> [PortSpec] { numbers.map { .named("p\($0)") } }

    /// "Named port tests" (upstream's SrcNamedPortIpSetIds `ipset-N` is the port named `pN`).
    static let namedPortCases: [(String, CalicoRule, [String])] = [
        ("Named port on its own rendered as single rule",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(ports: named([1]))),
         ["-A test -p tcp -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x80/0x80", returnRule]),
        ("Two named ports need a block",
         CalicoRule(action: .allow, proto: .name("udp"), source: EntityRule(ports: named([1, 2]))),
         [clearBothMarks, "-A test -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-2 src,src --jump MARK --set-mark 0x200/0x200", allowIfAllMarkAndUDP, returnRule]),
        ("Multiple named + numeric ports",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(ports: sixteenSlots + named([1, 2, 3]))),
         [clearBothMarks, "-A test -p tcp -m multiport --source-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 --jump MARK --set-mark 0x200/0x200",
          "-A test -p tcp -m multiport --source-ports 15:16 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-2 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-3 src,src --jump MARK --set-mark 0x200/0x200", allowIfAllMarkAndTCP, returnRule]),
        ("Overflow of numeric source ports",
         CalicoRule(action: .allow, proto: .name("udp"), source: EntityRule(ports: sixteenSlots)),
         [clearBothMarks, "-A test -p udp -m multiport --source-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 --jump MARK --set-mark 0x200/0x200",
          "-A test -p udp -m multiport --source-ports 15:16 --jump MARK --set-mark 0x200/0x200", allowIfAllMarkAndUDP, returnRule]),
        ("Source named + numeric ports need a block",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(ports: ports([(1, 2)]) + named([1]))),
         [clearBothMarks, "-A test -p tcp -m multiport --source-ports 1:2 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x200/0x200", allowIfAllMarkAndTCP, returnRule]),
        ("Single named port fits in rule",
         CalicoRule(action: .allow, proto: .name("tcp"), destination: EntityRule(ports: named([1]))),
         ["-A test -p tcp -m set --match-set cali40ipset-1 dst,dst --jump MARK --set-mark 0x80/0x80", returnRule]),
        ("Two destination named ports need a block",
         CalicoRule(action: .allow, proto: .name("tcp"), destination: EntityRule(ports: named([1, 2]))),
         [clearBothMarks, "-A test -m set --match-set cali40ipset-1 dst,dst --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-2 dst,dst --jump MARK --set-mark 0x200/0x200", allowIfAllMarkAndTCP, returnRule]),
        ("Destination named + numeric ports need a block",
         CalicoRule(action: .allow, proto: .name("tcp"), destination: EntityRule(ports: ports([(1, 2)]) + named([1]))),
         [clearBothMarks, "-A test -p tcp -m multiport --destination-ports 1:2 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 dst,dst --jump MARK --set-mark 0x200/0x200", allowIfAllMarkAndTCP, returnRule]),
        ("Positive source needs block only",
         CalicoRule(action: .allow, proto: .name("udp"), source: EntityRule(ports: ports([(1, 2)]) + named([1])), destination: EntityRule(ports: ports([(3, 4)]))),
         [clearBothMarks, "-A test -p udp -m multiport --source-ports 1:2 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -p udp -m multiport --destination-ports 3:4 -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80", returnRule]),
        ("Positive dest needs block only",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(ports: ports([(1, 2)])), destination: EntityRule(ports: ports([(3, 4)]) + named([1]))),
         [clearBothMarks, "-A test -p tcp -m multiport --destination-ports 3:4 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 dst,dst --jump MARK --set-mark 0x200/0x200",
          "-A test -p tcp -m multiport --source-ports 1:2 -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80", returnRule]),
        ("Positive source and dest need blocks",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(ports: ports([(1, 2)]) + named([1])), destination: EntityRule(ports: ports([(3, 4)]) + named([2]))),
         [clearBothMarks, "-A test -p tcp -m multiport --source-ports 1:2 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -p tcp -m multiport --destination-ports 3:4 --jump MARK --set-mark 0x400/0x400",
          "-A test -m set --match-set cali40ipset-2 dst,dst --jump MARK --set-mark 0x400/0x400",
          allBlocksPassAndEqThisBlockPass, allowIfAllMarkAndTCP, returnRule]),
        ("Overflow of numeric destination ports",
         CalicoRule(action: .allow, proto: .name("udp"), destination: EntityRule(ports: sixteenSlots)),
         [clearBothMarks, "-A test -p udp -m multiport --destination-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 --jump MARK --set-mark 0x200/0x200",
          "-A test -p udp -m multiport --destination-ports 15:16 --jump MARK --set-mark 0x200/0x200", allowIfAllMarkAndUDP, returnRule]),
        ("Negated source named + numeric ports rendered in single rule",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(notPorts: ports([(1, 2)]) + named([1]))),
         ["-A test -p tcp -m multiport ! --source-ports 1:2 -m set ! --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x80/0x80", returnRule]),
        ("Multiple negated source named + numeric ports rendered in single rule",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(notPorts: sixteenSlots + named([1, 2, 3]))),
         ["-A test -p tcp -m multiport ! --source-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 -m multiport ! --source-ports 15:16 "
            + "-m set ! --match-set cali40ipset-1 src,src -m set ! --match-set cali40ipset-2 src,src -m set ! --match-set cali40ipset-3 src,src "
            + "--jump MARK --set-mark 0x80/0x80", returnRule]),
        ("Negated destination named + numeric ports rendered in single rule",
         CalicoRule(action: .allow, proto: .name("tcp"), destination: EntityRule(notPorts: ports([(1, 2)]) + named([1]))),
         ["-A test -p tcp -m multiport ! --destination-ports 1:2 -m set ! --match-set cali40ipset-1 dst,dst --jump MARK --set-mark 0x80/0x80", returnRule]),
        ("Multiple negated destination named + numeric ports rendered in single rule",
         CalicoRule(action: .allow, proto: .name("udp"), destination: EntityRule(notPorts: sixteenSlots + named([1, 2, 3]))),
         ["-A test -p udp -m multiport ! --destination-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 -m multiport ! --destination-ports 15:16 "
            + "-m set ! --match-set cali40ipset-1 dst,dst -m set ! --match-set cali40ipset-2 dst,dst -m set ! --match-set cali40ipset-3 dst,dst "
            + "--jump MARK --set-mark 0x80/0x80", returnRule]),
        ("numeric, named ports and CIDRs",
         CalicoRule(action: .allow, proto: .name("tcp"), source: EntityRule(nets: ["10.1.0.0/16", "11.0.0.0/8"], ports: sixteenSlots + named([1, 2, 3]))),
         [clearBothMarks, "-A test -p tcp -m multiport --source-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 --jump MARK --set-mark 0x200/0x200",
          "-A test -p tcp -m multiport --source-ports 15:16 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-2 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-3 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test --source 10.1.0.0/16 --jump MARK --set-mark 0x400/0x400", "-A test --source 11.0.0.0/8 --jump MARK --set-mark 0x400/0x400",
          allBlocksPassAndEqThisBlockPass, allowIfAllMarkAndTCP, returnRule]),
        ("positive and negated numeric, named ports and CIDRs",
         CalicoRule(action: .allow, proto: .name("tcp"),
                    source: EntityRule(nets: ["10.1.0.0/16", "11.0.0.0/8"], notNets: ["14.1.0.0/16", "15.0.0.0/8"],
                                       ports: sixteenSlots + named([1]), notPorts: ports([(101, 101)]) + named([3])),
                    destination: EntityRule(nets: ["12.1.0.0/16", "13.0.0.0/8"], notNets: ["16.1.0.0/16", "17.0.0.0/8"],
                                            ports: ports([(2, 3)]) + named([2]), notPorts: ports([(201, 201)]) + named([4]))),
         [clearBothMarks,
          "-A test -p tcp -m multiport --source-ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14 --jump MARK --set-mark 0x200/0x200",
          "-A test -p tcp -m multiport --source-ports 15:16 --jump MARK --set-mark 0x200/0x200",
          "-A test -m set --match-set cali40ipset-1 src,src --jump MARK --set-mark 0x200/0x200",
          "-A test -p tcp -m multiport --destination-ports 2:3 --jump MARK --set-mark 0x400/0x400",
          "-A test -m set --match-set cali40ipset-2 dst,dst --jump MARK --set-mark 0x400/0x400",
          allBlocksPassAndEqThisBlockPass,
          "-A test --source 10.1.0.0/16 --jump MARK --set-mark 0x400/0x400", "-A test --source 11.0.0.0/8 --jump MARK --set-mark 0x400/0x400",
          allBlocksPassAndEqThisBlockPass,
          "-A test --destination 12.1.0.0/16 --jump MARK --set-mark 0x400/0x400", "-A test --destination 13.0.0.0/8 --jump MARK --set-mark 0x400/0x400",
          allBlocksPassAndEqThisBlockPass,
          "-A test --source 14.1.0.0/16 --jump MARK --set-mark 0/0x200", "-A test --source 15.0.0.0/8 --jump MARK --set-mark 0/0x200",
          "-A test --destination 16.1.0.0/16 --jump MARK --set-mark 0/0x200", "-A test --destination 17.0.0.0/8 --jump MARK --set-mark 0/0x200",
          "-A test -p tcp -m multiport ! --source-ports 101 -m set ! --match-set cali40ipset-3 src,src "
            + "-m multiport ! --destination-ports 201 -m set ! --match-set cali40ipset-4 dst,dst -m mark --mark 0x200/0x200 --jump MARK --set-mark 0x80/0x80",
          returnRule]),
    ]

    @Test(arguments: 0..<namedPortCases.count)
    func namedPorts(_ index: Int) throws {
        let (name, rule, expected) = Self.namedPortCases[index]
        #expect(try Self.render(rule) == expected, "\(name)")
    }

    /// "should skip with mixed source/dest CIDR matches": an IPv4 rendering of a rule whose
    /// CIDRs are all IPv6 renders nothing; so does a rule for IP version 6.
    @Test func rulesForTheOtherIPVersionRenderNothing() throws {
        for rule in [CalicoRule(action: .allow, source: EntityRule(nets: ["feed::beef"])), CalicoRule(action: .allow, destination: EntityRule(nets: ["feed::beef"])),
                     CalicoRule(action: .allow, source: EntityRule(notNets: ["feed::beef"])), CalicoRule(action: .allow, destination: EntityRule(notNets: ["feed::beef"])),
                     CalicoRule(action: .allow, ipVersion: 6)] {
            #expect(try Self.render(rule) == [], "\(rule)")
        }
    }

    /// "rule metadata tests": annotations become comments on every rule.
    @Test func annotationsAreComments() throws {
        let rule = CalicoRule(action: .allow, proto: .name("tcp"), annotations: ["testkey00": "testvalue00", "testkey01": "testvalue01"])
        var renderer = try Self.renderer()
        let rules = try renderer.render(rule, owner: Self.owner)
        #expect(rules.count == 2)
        for rule in rules { #expect(rule.comments.contains("testkey00=testvalue00") && rule.comments.contains("testkey01=testvalue01")) }
    }

    /// "should include a chain name comment": the hashed chain names of a long policy and profile name.
    @Test func longPolicyAndProfileNamesAreHashed() {
        #expect(ChainNames.lengthLimited("cali-pi-", "long-policy-name-that-gets-hashed") == "cali-pi-_ffOMcf6pikpiZ6hgKcW")
        #expect(ChainNames.lengthLimited("cali-po-", "long-policy-name-that-gets-hashed") == "cali-po-_ffOMcf6pikpiZ6hgKcW")
        #expect(ChainNames.lengthLimited("cali-pri-", "long-policy-name-that-gets-hashed") == "cali-pri-_ffOMcf6pikpiZ6hgKc")
        #expect(ChainNames.lengthLimited("cali-pro-", "long-policy-name-that-gets-hashed") == "cali-pro-_ffOMcf6pikpiZ6hgKc")
    }

    /// "Port split tests": 15 multiport slots per rule, a range takes two.
    @Test func portSplits() {
        func r(_ pairs: [(Int, Int)]) -> [ClosedRange<Int>] { pairs.map { $0.0...$0.1 } }
        let eightRanges = r([(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 14)])
        let cases: [([ClosedRange<Int>], [[ClosedRange<Int>]])] = [
            ([], []),
            (r([(1, 1)]), [r([(1, 1)])]),
            (r([(1, 10)]), [r([(1, 10)])]),
            ((1...15).map { $0...$0 }, [(1...15).map { $0...$0 }]),
            ((1...16).map { $0...$0 }, [(1...15).map { $0...$0 }, [16...16]]),
            (eightRanges + [15...15], [eightRanges + [15...15]]),
            (eightRanges + [15...16], [eightRanges, [15...16]]),
            (eightRanges + r([(15, 16), (21, 22), (23, 24), (23, 26), (27, 28), (29, 210), (211, 212), (213, 214), (215, 216)]),
             [eightRanges, r([(15, 16), (21, 22), (23, 24), (23, 26), (27, 28), (29, 210), (211, 212)]), r([(213, 214), (215, 216)])]),
        ]
        for (input, expected) in cases { #expect(PolicyRuleRenderer.split(input) == expected, "\(input)") }
    }
}

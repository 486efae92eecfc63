// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "pathsim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pathsim", targets: ["pathsim"]),
        .library(name: "Netfilter", targets: ["Netfilter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // The core: netfilter model and reference engine. Standard library only.
        .target(name: "Netfilter"),
        // iptables-save / ipset save text formats, and the `iptables -nvxL` listing.
        .target(name: "IptablesSave", dependencies: ["Netfilter"]),
        // Packet bytes on the wire (IPv4 + TCP/UDP/ICMP with checksums).
        .target(name: "PacketWire", dependencies: ["Netfilter"]),
        // The `--pkt` grammar.
        .target(name: "PacketSpec", dependencies: ["Netfilter"]),
        // A node snapshot directory: iptables-save, ipset, ip -j JSON, sysctl.
        .target(name: "NodeSnapshot", dependencies: ["Netfilter", "IptablesSave"]),
        // Human, JSON Lines and nft-monitor-trace renderings of a trace.
        .target(name: "TraceFormat", dependencies: ["Netfilter", "IptablesSave"]),
        // The real kernel as an oracle: network namespaces, iptables-nft-restore, nft monitor trace.
        .target(name: "KernelOracle", dependencies: ["Netfilter", "IptablesSave", "PacketWire"]),
        // libpcap, from Debian's libpcap-dev.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        // Capture files: pcap/pcapng reading and writing, link-layer headers, BPF filters, IPv4 reassembly.
        .target(name: "PcapIO", dependencies: ["CPcap"]),
        // Replaying a capture through the engine: interfaces, egress copies, the check against the capture.
        .target(name: "Replay", dependencies: ["Netfilter", "PcapIO", "PacketWire", "TraceFormat"]),
        // SHA-1, SHA-224/256 and SHA3-224 with base64url: the digests felix names chains, sets and veths with.
        .target(name: "Digests"),
        // Kubernetes and Calico objects, the selector language, and the conversion of Kubernetes policy.
        .target(name: "CalicoModel", dependencies: ["Digests"]),
        // Cluster objects from YAML files as kubectl and calicoctl print them.
        .target(name: "ClusterYAML", dependencies: ["CalicoModel", .product(name: "Yams", package: "Yams")]),
        // The chains, ipsets and node network felix would program for one node of a cluster.
        .target(name: "FelixRenderer", dependencies: ["CalicoModel", "Digests", "Netfilter", "IptablesSave", "NodeSnapshot"]),
        // The nat and filter chains kube-proxy's iptables proxier writes for a node's Services.
        .target(name: "KubeProxyRenderer", dependencies: ["CalicoModel", "Digests"]),
        // Two or more rendered nodes of one cluster: a packet's legs from node to node, with IPIP/VXLAN encapsulation as the pools say.
        .target(name: "ClusterPath", dependencies: ["CalicoModel", "FelixRenderer", "Netfilter", "NodeSnapshot"]),
        // Why a packet was dropped or accepted, in Calico's and Kubernetes' terms, with the change that would let it through.
        .target(name: "Explain", dependencies: ["Netfilter", "IptablesSave", "CalicoModel", "FelixRenderer", "TraceFormat"]),
        // The netfilter hook diagram with a packet's path highlighted, as SVG and a standalone HTML report.
        .target(name: "PathDiagram", dependencies: ["Netfilter"]),
        // What-if: the same packets through two worlds (before and after a change), flow by flow.
        .target(name: "WhatIf", dependencies: ["Netfilter", "Explain", "TraceFormat"]),
        // Scenario regression suites: YAML files of packets and the verdicts, paths, counters and explanations expected of them.
        .target(name: "ScenarioSuite", dependencies: ["Netfilter", "IptablesSave", "NodeSnapshot", "PacketSpec", "TraceFormat", "CalicoModel", "ClusterYAML", "FelixRenderer", "KubeProxyRenderer", "Explain", "Replay", .product(name: "Yams", package: "Yams")]),
        // The scenario suites on the real kernel: each world's node built in namespaces, each case's packets compared with the kernel's trace.
        .target(name: "ScenarioKernel", dependencies: ["ScenarioSuite", "KernelOracle", "Netfilter", "NodeSnapshot", "IptablesSave", "PacketWire"]),
        .executableTarget(
            name: "pathsim",
            dependencies: [
                "Netfilter", "IptablesSave", "NodeSnapshot", "PacketSpec", "TraceFormat", "KernelOracle", "PacketWire", "PcapIO", "Replay",
                "CalicoModel", "ClusterYAML", "FelixRenderer", "KubeProxyRenderer", "ClusterPath", "Explain", "PathDiagram", "WhatIf", "ScenarioSuite", "ScenarioKernel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NetfilterTests", dependencies: ["Netfilter", "IptablesSave", "PacketSpec"]),
        .testTarget(name: "IptablesSaveTests", dependencies: ["Netfilter", "IptablesSave"]),
        .testTarget(name: "NodeSnapshotTests", dependencies: ["Netfilter", "IptablesSave", "NodeSnapshot", "PacketSpec", "TraceFormat"]),
        .testTarget(name: "KernelDifferentialTests", dependencies: ["Netfilter", "IptablesSave", "KernelOracle", "PacketWire", "PacketSpec", "TraceFormat", "PcapIO", "Replay", "CalicoModel", "ClusterYAML", "FelixRenderer", "KubeProxyRenderer", "NodeSnapshot", "PolicyTestSupport", "Explain", "ScenarioSuite", "ScenarioKernel"]),
        .testTarget(name: "PcapIOTests", dependencies: ["PcapIO"]),
        .testTarget(name: "ReplayTests", dependencies: ["Netfilter", "IptablesSave", "NodeSnapshot", "PcapIO", "Replay", "PacketWire", "PacketSpec"]),
        .testTarget(name: "CLITests", dependencies: ["pathsim"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests"]),
        .testTarget(name: "CalicoModelTests", dependencies: ["CalicoModel", "PolicyTestSupport"]),
        .testTarget(name: "ClusterYAMLTests", dependencies: ["CalicoModel", "ClusterYAML", "PolicyTestSupport"]),
        // Test support: Kubernetes NetworkPolicy semantics written apart from the renderer, and seeded cluster generation.
        .target(name: "PolicyTestSupport", dependencies: ["CalicoModel", "Netfilter"], path: "Tests/PolicyTestSupport"),
        .testTarget(name: "FelixRendererTests", dependencies: ["CalicoModel", "ClusterYAML", "FelixRenderer", "Digests", "Netfilter", "IptablesSave", "NodeSnapshot", "PacketSpec", "PolicyTestSupport"]),
        .testTarget(name: "KubeProxyRendererTests", dependencies: ["CalicoModel", "ClusterYAML", "KubeProxyRenderer", "Digests", "FelixRenderer", "Netfilter", "IptablesSave", "NodeSnapshot", "PacketSpec"]),
        .testTarget(name: "ClusterPathTests", dependencies: ["ClusterPath", "CalicoModel", "ClusterYAML", "FelixRenderer", "Netfilter", "NodeSnapshot", "PacketSpec", "KernelOracle", "PacketWire"]),
        .testTarget(name: "ExplainTests", dependencies: ["Explain", "Netfilter", "IptablesSave", "NodeSnapshot", "PacketSpec", "CalicoModel", "ClusterYAML", "FelixRenderer", "TraceFormat"]),
        .testTarget(name: "WhatIfTests", dependencies: ["WhatIf", "Explain", "Netfilter", "NodeSnapshot", "PacketSpec", "CalicoModel", "ClusterYAML", "FelixRenderer"]),
        .testTarget(name: "PathDiagramTests", dependencies: ["PathDiagram", "Netfilter", "IptablesSave", "NodeSnapshot", "PacketSpec"]),
        .testTarget(name: "ScenarioSuiteTests", dependencies: ["ScenarioSuite", "Netfilter", "Explain"]),
    ],
    swiftLanguageModes: [.v6]
)

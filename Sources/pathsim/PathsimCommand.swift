import ArgumentParser

struct PathsimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathsim",
        abstract: "Trace packets through a Linux node's netfilter rules (iptables, ipset, conntrack, NAT) exactly as the kernel would.",
        discussion: """
        Exit codes: 0 success; 64 bad command line; 65 bad input data (a malformed dump, JSON file or --pkt); \
        66 an input file or directory is missing; 1 (test) a scenario case failed; 69 an unsupported iptables feature was met with --strict; \
        70 internal error.
        """,
        subcommands: [TraceCommand.self, ExplainCommand.self, DiffCommand.self, ReplayCommand.self, RenderCommand.self, ListCommand.self, ConntrackCommand.self, BenchCommand.self, SnapshotCommand.self, DemoCommand.self, TestCommand.self]
    )
}

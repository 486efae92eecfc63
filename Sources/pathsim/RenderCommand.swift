import ArgumentParser
import FelixRenderer
import Foundation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the chains, ipsets and network felix would program on one node of a cluster.",
        discussion: """
        Reads Kubernetes and Calico objects (kubectl/calicoctl YAML) and writes a node snapshot that \
        trace, replay and list load, plus provenance.json naming the object behind every chain, rule \
        and ipset. Without -o, prints the iptables-save text.

        Example: pathsim render --cluster Fixtures/clusters/seed-web-deny-all --node host30 -o /tmp/host30
        """
    )

    @OptionGroup var source: ClusterOptions

    @Option(name: [.short, .customLong("output")], help: "Snapshot directory to write (created if needed).")
    var output: String?

    func run() throws {
        guard source.isSet else { throw fail("expected --cluster PATH", ExitCode(64)) }
        let rendered = try source.render()
        for note in rendered.assumptions { FileHandleOutput.standardError("pathsim: note: \(note)") }
        guard let output else {
            print(rendered.files["iptables-save.txt"]!, terminator: "")
            return
        }
        do {
            try rendered.write(to: output)
        } catch {
            throw fail("\(output): \(error.localizedDescription)", PathsimExit.internalError)
        }
        let rules = rendered.provenance.rules.count
        FileHandleOutput.standardError("pathsim: wrote \(output): \(rendered.provenance.chains.count) chains, \(rules) rules, \(rendered.provenance.ipsets.count) ipsets (felix \(rendered.layout) layout, node \(rendered.node))")
    }
}

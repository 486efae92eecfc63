import Yams

/// `pathsim test --update`: rewrites, in the scenario file's text, the `expect:`, `counters:`
/// and `conntrack:` blocks of failing cases from what the run gave. Everything else of the file
/// (other cases, `world:`, `packets:`, comments outside the rewritten blocks, key order) is kept
/// byte for byte; a rewritten block loses the comments inside it.
///
/// What a rewritten expectation asserts: the same kinds as before, with the actual values. A
/// field whose actual value is absent (no policy decided) is dropped; `pathContains` keeps the
/// steps still found in order (the deciding step when none is); `explanationNames` keeps the
/// words still found; `conntrack` keeps the entries still listed (the whole listing when none
/// is); counters take the actual packets (and bytes when they were given).
public enum ScenarioUpdate {
    public struct Change: Hashable, Sendable {
        public var caseName: String
        public var text: String
    }

    public static func update(text: String, file: ScenarioFile, results: [CaseResult]) throws(ScenarioError) -> (text: String, changes: [Change]) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var edits: [(start: Int, end: Int, replacement: [String])] = []
        var changes: [Change] = []
        let layout = try BlockLayout(text: text, file: file.path)
        for result in results where !result.passed && result.file == file.path {
            guard let scenarioCase = file.cases.first(where: { $0.name == result.caseName }),
                  let blocks = layout.cases[result.caseName] else { continue }
            let failing = Set(result.mismatches.map { $0.what.hasPrefix("counter ") ? "counters" : $0.what == "conntrack" ? "conntrack" : "expect" })
            for key in ["expect", "counters", "conntrack"] where failing.contains(key) {
                guard let block = blocks[key] else { continue }
                let body: [String]
                switch key {
                case "expect":
                    let updated = scenarioCase.expectations.map { updatedExpectation($0, result.outcome) }
                    body = YAMLEmit.expectations(updated, asList: scenarioCase.expectationsAsList)
                case "counters":
                    body = YAMLEmit.counters(scenarioCase.counters.map { counter in
                        var counter = counter
                        if let found = result.outcome.counters[counter.step], let actual = found {
                            counter.packets = actual.packets
                            if counter.bytes != nil { counter.bytes = actual.bytes }
                        }
                        return counter
                    })
                default:
                    let kept = scenarioCase.conntrack.filter { wanted in result.outcome.conntrack.contains { $0.contains(wanted) } }
                    body = YAMLEmit.list(kept.isEmpty ? result.outcome.conntrack : kept)
                }
                let prefix = String(lines[block.start].prefix(block.column))
                // The block's own indentation when it has lines below the key (`- ` items often sit
                // at the key's column), two more than the key otherwise.
                let below = block.end > block.start ? lines[block.start + 1].prefix { $0 == " " }.count : block.column + 2
                let indent = String(repeating: " ", count: max(below, block.column))
                let replacement = ["\(prefix)\(key):"] + body.map { indent + $0 }
                edits.append((block.start, block.end, replacement))
            }
            for mismatch in result.mismatches {
                changes.append(Change(caseName: result.caseName,
                                      text: "\(mismatch.title): \(mismatch.expected.joined(separator: ", ")) → \(mismatch.actual.joined(separator: ", "))"))
            }
        }
        for edit in edits.sorted(by: { $0.start > $1.start }) {
            lines.replaceSubrange(edit.start...edit.end, with: edit.replacement)
        }
        let updated = lines.joined(separator: "\n")
        // The rewritten file must read back; if it did not, nothing is written.
        do {
            _ = try ScenarioParser.parse(updated, file: file.path)
        } catch {
            throw ScenarioError(file: file.path, line: error.line, message: "--update would make the file unreadable (\(error.message)); left unchanged")
        }
        return (updated, changes)
    }

    static func updatedExpectation(_ expectation: Expectation, _ outcome: CaseOutcome) -> Expectation {
        guard let packet = outcome.packet(expectation.packet) else { return expectation }
        let explanation = packet.explanation
        var updated = expectation
        if expectation.verdict != nil { updated.verdict = explanation.verdict }
        if expectation.cause != nil { updated.cause = explanation.cause }
        if expectation.policy != nil { updated.policy = explanation.policy?.name }
        if expectation.policyKind != nil { updated.policyKind = explanation.policy?.kind }
        if expectation.endpoint != nil { updated.endpoint = explanation.endpoint.map { $0.name ?? $0.interface } }
        if expectation.tier != nil { updated.tier = explanation.tier }
        if expectation.direction != nil { updated.direction = explanation.direction }
        if expectation.service != nil { updated.service = explanation.service }
        if expectation.decidingRule != nil { updated.decidingRule = packet.decidingStep }
        if expectation.outInterface != nil { updated.outInterface = packet.trace.outInterface }
        if let final = expectation.final, !PacketDescriptionText.final(packet.trace).contains(final) {
            updated.final = PacketDescriptionText.final(packet.trace)
        }
        if expectation.path != nil { updated.path = packet.path }
        if let wanted = expectation.pathContains {
            var remaining = packet.path[...]
            var kept: [StepReferenceText] = []
            for step in wanted {
                guard let found = remaining.firstIndex(of: step) else { continue }
                kept.append(step)
                remaining = remaining[(found + 1)...]
            }
            updated.pathContains = kept.isEmpty ? packet.decidingStep.map { [$0] } ?? [] : kept
        }
        if let words = expectation.explanationNames {
            updated.explanationNames = words.filter { explanation.summary.contains($0) }
        }
        return updated
    }
}

/// Where each case's blocks are in the file: from the key's line to the line before the next
/// key of the case, the next case or the next top-level key, less trailing blank and comment
/// lines (they belong to what follows). 0-based lines; `column` is where the key starts.
struct BlockLayout {
    struct Block { var start: Int; var end: Int; var column: Int }
    var cases: [String: [String: Block]] = [:]

    init(text: String, file: String) throws(ScenarioError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw ScenarioParser.syntaxError(error, file: file) }
        guard let root = node?.mapping else { return }
        let topLines = root.keys.compactMap { $0.mark?.line }
        guard let items = root["cases"]?.sequence else { return }
        let itemLines = items.compactMap { $0.mark?.line }
        for item in items {
            guard let mapping = item.mapping, let name = mapping["name"]?.string else { continue }
            let keyMarks = mapping.keys.compactMap { key in key.mark.map { (key.string ?? "", $0) } }
            let boundaries = (keyMarks.map(\.1.line) + itemLines + topLines).sorted()
            var blocks: [String: Block] = [:]
            for (key, mark) in keyMarks where ["expect", "counters", "conntrack"].contains(key) {
                // A flow-style case (`{name: a, expect: …}`) has no line of its own to rewrite.
                guard keyMarks.filter({ $0.1.line == mark.line }).count == 1 else {
                    throw ScenarioError(file: file, line: mark.line, message: "--update rewrites block-style cases only; expected \(key): on a line of its own")
                }
                var end = (boundaries.first { $0 > mark.line } ?? lines.count + 1) - 2
                while end > mark.line - 1 {
                    let trimmed = lines[end].trimmingCharacters(in: .whitespaces)
                    guard trimmed.isEmpty || trimmed.hasPrefix("#") else { break }
                    end -= 1
                }
                blocks[key] = Block(start: mark.line - 1, end: end, column: mark.column - 1)
            }
            cases[name] = blocks
        }
    }
}

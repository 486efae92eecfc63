import Foundation
import FoundationXML
import Netfilter
import PathDiagram
import Testing

/// The SVG and HTML as documents: well-formed, escaped, the deciding step marked, every chain
/// of the path present, and text inside the picture.
@Suite("Path diagram structure")
struct StructureTests {
    static func parse(_ svg: String) throws -> XMLDocument {
        try XMLDocument(xmlString: svg, options: [])
    }

    static func elements(_ node: XMLNode, _ xpath: String) throws -> [XMLElement] {
        try node.nodes(forXPath: xpath).compactMap { $0 as? XMLElement }
    }

    static func texts(_ document: XMLDocument) throws -> [String] {
        try elements(document, "//*[local-name()='text']").compactMap(\.stringValue)
    }

    @Test func svgIsWellFormedAndSizedToItsContent() throws {
        let svg = PathDiagram.svg(try SeedCase.input())
        let root = try #require(try Self.parse(svg).rootElement())
        #expect(root.localName == "svg")
        let width = try #require(root["width"])
        let height = try #require(root["height"])
        #expect(root["viewBox"] == "0 0 \(width) \(height)")
        #expect(!svg.contains("<script") && !svg.contains("<image") && !svg.contains("@import") && !svg.contains("href="))
    }

    @Test func decidingStepIsMarked() throws {
        let document = try Self.parse(PathDiagram.svg(try SeedCase.input()))
        let marked = try Self.elements(document, "//*[@id='deciding-step']")
        #expect(marked.count == 1)
        let step = try #require(marked.first)
        #expect(step["class"] == "step deciding")
        let text = step.stringValue ?? ""
        #expect(text.contains("filter:\(SeedCase.decidingChain) #7 drop"))
        #expect(text.contains("deciding rule"))
        #expect(text.contains("Drop if no policies passed packet"))
        #expect(try !Self.elements(step, "*[@class='deciding-marker']").isEmpty)
        // The table cell the deciding rule lives in is marked too.
        let cells = try Self.elements(document, "//*[@id='h0-hook-FORWARD']/*[contains(@class, 'deciding-cell')]")
        #expect(cells.map { $0["data-table"] } == ["filter"])
        #expect(try Self.texts(document).contains("fate: dropped by filter:\(SeedCase.decidingChain) rule 7"))
    }

    @Test func everyVisitedChainAppears() throws {
        let input = try SeedCase.input()
        let texts = try Self.texts(try Self.parse(PathDiagram.svg(input)))
        let trace = input.hops[0].trace
        #expect(trace.visits.count >= 3)
        for (index, visit) in trace.visits.enumerated() {
            #expect(texts.contains { $0.hasPrefix("[\(index + 1)] \(visit.hook.rawValue) \(visit.table.rawValue)") }, "visit \(index + 1)")
        }
        for step in trace.steps {
            #expect(texts.contains { $0.hasPrefix("\(step.table.rawValue):\(step.chain) ") }, "\(step)")
        }
        #expect(texts.contains("KubernetesNetworkPolicy default/web-deny-all, ingress"))
        // The HTML table lists every step once.
        let html = PathDiagram.html(input)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<tr").count - 2 == trace.steps.count)
        #expect(html.contains("<tr id=\"deciding-row\" class=\"deciding\">"))
    }

    @Test func reachedHooksAndArrowsAreHighlighted() throws {
        let document = try Self.parse(PathDiagram.svg(try SeedCase.input()))
        func hookClass(_ hook: Hook) throws -> String? {
            try Self.elements(document, "//*[@id='h0-hook-\(hook.rawValue)']").first?["class"]
        }
        #expect(try hookClass(.prerouting) == "hook reached")
        #expect(try hookClass(.forward) == "hook reached")
        #expect(try hookClass(.input) == "hook")
        #expect(try hookClass(.postrouting) == "hook")
        // in → PREROUTING → routing → FORWARD.
        #expect(try Self.elements(document, "//*[@class='edge on-path']").count == 3)
    }

    @Test func textIsEscaped() throws {
        let snapshot = try SeedCase.snapshot()
        let trace = try SeedCase.trace(snapshot: snapshot)
        let comment = "-A cali-x -m comment --comment \"evil <&>\\\" 'q' \u{1B}[0m\""
        let input = DiagramInput(title: "web <&> \"quoted\"", hops: [DiagramHop(node: "a&b", trace: trace, note: "<note>")],
                                 deciding: DiagramInput.droppingStep(in: [DiagramHop(node: "", trace: trace)]),
                                 stepLabels: [StepKey(hop: 0, step: 0): "<label & \"co\">"], ruleText: { _, _, _, _ in comment },
                                 summary: ["a < b && c > d"])
        let svg = PathDiagram.svg(input)
        let document = try Self.parse(svg)
        let texts = try Self.texts(document)
        #expect(texts.contains("web <&> \"quoted\""))
        #expect(texts.contains("node a&b — <note>"))
        #expect(texts.contains("<label & \"co\">"))
        #expect(texts.contains { $0.contains("evil <&>\\\" 'q' \u{FFFD}[0m") })
        #expect(texts.contains("a < b && c > d"))
        let html = PathDiagram.html(input)
        for text in [svg, html] {
            #expect(!text.contains("<&>") && !text.contains("<label") && !text.contains("<note>") && !text.contains("\u{1B}"))
            #expect(text.contains("&lt;&amp;&gt;"))
        }
        #expect(html.contains("<title>web &lt;&amp;&gt; &quot;quoted&quot;</title>"))
    }

    @Test func twoHopsRenderBothNodeHeaders() throws {
        let snapshot = try SeedCase.snapshot()
        let first = try SeedCase.trace("local tcp 10.139.54.1:5000 > 10.139.54.158:80 flags=S", snapshot: snapshot)
        let second = try SeedCase.trace(snapshot: snapshot)
        let hops = [DiagramHop(node: "host30", trace: first, note: "IPIP-encapsulated to 10.0.0.2"), DiagramHop(node: "node-b", trace: second)]
        let input = DiagramInput(title: "two nodes", hops: hops, deciding: DiagramInput.droppingStep(in: hops), ruleText: SeedCase.ruleText(snapshot))
        let document = try Self.parse(PathDiagram.svg(input))
        let headers = try Self.elements(document, "//*[@class='hop-header']").compactMap(\.stringValue)
        #expect(headers == ["node host30 — IPIP-encapsulated to 10.0.0.2", "node node-b"])
        #expect(try Self.elements(document, "//*[@class='hop']").count == 2)
        #expect(try Self.elements(document, "//*[@class='hop-link']").count == 1)
        #expect(try Self.texts(document).filter { $0 == "IPIP-encapsulated to 10.0.0.2" }.count == 1)
        // The deciding step is the second hop's, and the first hop's local packet went through OUTPUT.
        let deciding = try #require(try Self.elements(document, "//*[@id='deciding-step']").first)
        #expect(deciding["data-step"]?.hasPrefix("1.") == true)
        let output = try Self.elements(document, "//*[@id='h0-hook-OUTPUT']").first?["class"]
        #expect(output == "hook reached")
        #expect(try Self.elements(document, "//*[@id='h0-local']").count == 1)
    }

    /// Text is estimated at 7.3 px a character (PathDiagram's TextMetrics); none may cross the
    /// picture's edges, however long the rule or the title.
    @Test func textStaysInsideThePicture() throws {
        var input = try SeedCase.input()
        input.title = String(repeating: "long title ", count: 20)
        input.summary.append(String(repeating: "wrapped-summary-word ", count: 40))
        let base = input.ruleText
        input.ruleText = { base($0, $1, $2, $3) + String(repeating: " -m comment --comment padding", count: 10) }
        let document = try Self.parse(PathDiagram.svg(input))
        let root = try #require(document.rootElement())
        let width = try #require(root["width"].flatMap { Double($0) })
        #expect(width > 1400, "the long title widens the picture")
        for text in try Self.elements(document, "//*[local-name()='text']") {
            let content = text.stringValue ?? ""
            let size = text["font-size"].flatMap { Double($0) } ?? 12
            let extent = Double(content.count) * 7.3 * size / 12
            let x = try #require(text["x"].flatMap { Double($0) })
            let left = switch text["text-anchor"] {
            case "end": x - extent
            case "middle": x - extent / 2
            default: x
            }
            #expect(left >= 0 && left + extent <= width, "\(content) overflows")
        }
    }

    @Test func oddInputStillRenders() throws {
        let empty = DiagramInput(title: "", hops: [], deciding: StepKey(hop: 3, step: 99))
        for svg in [PathDiagram.svg(empty)] {
            let document = try Self.parse(svg)
            #expect(try Self.elements(document, "//*[@id='deciding-step']").isEmpty)
        }
        #expect(PathDiagram.html(empty).contains("</html>"))
        var input = try SeedCase.input()
        input.deciding = StepKey(hop: 0, step: 10_000)
        let document = try Self.parse(PathDiagram.svg(input))
        #expect(try Self.elements(document, "//*[@id='deciding-step']").isEmpty)
    }
}

extension XMLElement {
    /// FoundationXML on Linux finds no attribute by name on an element in a default namespace,
    /// as every SVG element is; the list of attributes has them.
    subscript(_ name: String) -> String? {
        attributes?.first { $0.name == name }?.stringValue
    }
}

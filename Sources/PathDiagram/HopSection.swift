import Netfilter

/// One hop drawn: a header with the node, the hook diagram with the path highlighted, the
/// chain path under it step by step, and the packet's fate at the end.
struct HopSection {
    static let headerHeight = 28
    static let sectionHeaderHeight = 22
    static let indent = 16
    static let rowInset = 18
    static let decidingTag = "deciding rule"

    let index: Int
    let hop: DiagramHop
    let diagram: HookDiagram
    let sections: [ChainSection]

    init(index: Int, input: DiagramInput) {
        self.index = index
        hop = input.hops[index]
        let deciding = input.validDeciding.flatMap { $0.hop == index ? $0.step : nil }
        diagram = HookDiagram(trace: hop.trace, highlight: PathHighlight(trace: hop.trace, decidingStep: deciding), hopIndex: index)
        sections = ChainPath.sections(hop: index, of: input)
    }

    var header: String {
        "node " + (hop.node.isEmpty ? "(unnamed)" : hop.node) + (hop.note.map { " — \($0)" } ?? "")
    }

    /// Draws the hop from `top` across `width`; returns where the next thing may start.
    func draw(into svg: inout SVGWriter, top: Int, width: Int) -> Int {
        let left = SVGLayout.margin
        let inner = width - 2 * SVGLayout.margin
        var y = top
        svg.open("g", [("id", "hop-\(index)"), ("class", "hop")])
        svg.rect(x: left, y: y, width: inner, height: Self.headerHeight, fill: Palette.hopHeader, stroke: Palette.hopHeader)
        svg.text(x: left + 10, y: y + 19, TextMetrics.truncate(header, columns: TextMetrics.columns(inner - 20)), fill: "#ffffff",
                 weight: "bold", tooltip: header, extra: [("class", "hop-header")])
        y += Self.headerHeight + 12
        diagram.draw(into: &svg, top: y)
        y += diagram.height + 20
        for section in sections {
            y = draw(section, into: &svg, top: y, left: left, inner: inner)
        }
        y = drawFate(into: &svg, top: y, left: left, inner: inner)
        svg.close("g")
        return y
    }

    private func draw(_ section: ChainSection, into svg: inout SVGWriter, top: Int, left: Int, inner: Int) -> Int {
        var y = top
        svg.open("g", [("class", "visit"), ("data-hook", section.visit.hook.rawValue), ("data-table", section.visit.table.rawValue)])
        svg.rect(x: left, y: y, width: inner, height: Self.sectionHeaderHeight, fill: Palette.headerFill, stroke: Palette.path)
        svg.text(x: left + 8, y: y + 15, TextMetrics.truncate(section.header, columns: TextMetrics.columns(inner - 16)),
                 weight: "bold", tooltip: section.header)
        y += Self.sectionHeaderHeight + 4
        if section.rows.isEmpty {
            svg.text(x: left + Self.rowInset, y: y + 13, "(no rule matched and no policy was recorded)", fill: Palette.muted)
            y += 20
        }
        for row in section.rows {
            y = draw(row, into: &svg, top: y, left: left, inner: inner)
        }
        svg.close("g")
        return y + 8
    }

    static func rowHeight(_ row: ChainRow) -> Int {
        6 + TextMetrics.lineHeight * (1 + (row.ruleText == nil ? 0 : 1) + (row.label == nil ? 0 : 1))
    }

    private func draw(_ row: ChainRow, into svg: inout SVGWriter, top: Int, left: Int, inner: Int) -> Int {
        let height = Self.rowHeight(row)
        var attributes = [("class", row.deciding ? "step deciding" : "step"), ("data-step", "\(row.key.hop).\(row.key.step)")]
        if row.deciding { attributes.insert(("id", "deciding-step"), at: 0) }
        svg.open("g", attributes)
        if row.deciding {
            svg.rect(x: left, y: top, width: inner, height: height, fill: Palette.decidingFill, stroke: Palette.deciding, strokeWidth: 2)
            svg.element("path", [("class", "deciding-marker"), ("d", "M\(left + 4),\(top + 4) L\(left + 13),\(top + 11) L\(left + 4),\(top + 18) z"),
                                 ("fill", Palette.deciding)])
            svg.text(x: left + inner - 8, y: top + 15, Self.decidingTag, fill: Palette.deciding, weight: "bold", anchor: "end")
        }
        let x = left + Self.rowInset + row.depth * Self.indent
        let available = left + inner - 8 - x
        let headingColumns = TextMetrics.columns(available - TextMetrics.width(Self.decidingTag) - 16)
        let verdictColour = switch row.step.verdict {
        case .drop: Palette.deciding
        case .accept: Palette.accepted
        default: Palette.text
        }
        svg.text(x: x, y: top + 15, TextMetrics.truncate(row.heading, columns: headingColumns), fill: verdictColour,
                 weight: row.deciding ? "bold" : nil, tooltip: row.heading)
        var lineY = top + 15
        if let text = row.ruleText {
            lineY += TextMetrics.lineHeight
            svg.text(x: x + 8, y: lineY, TextMetrics.truncate(text, columns: TextMetrics.columns(available - 8)), fill: Palette.ruleText,
                     tooltip: text, extra: [("class", "rule-text")])
        }
        if let label = row.label {
            lineY += TextMetrics.lineHeight
            svg.text(x: x + 8, y: lineY, TextMetrics.truncate(label, columns: TextMetrics.columns(available - 8)), fill: Palette.label,
                     style: "italic", tooltip: label, extra: [("class", "step-label")])
        }
        svg.close("g")
        return top + height + 2
    }

    private func drawFate(into svg: inout SVGWriter, top: Int, left: Int, inner: Int) -> Int {
        let trace = hop.trace
        let fate = "fate: " + FateText.describe(trace.fate, loopedBack: trace.loopedBack)
        let details = FateText.details(trace)
        let height = 26 + details.count * TextMetrics.lineHeight
        let accepted = trace.fate.isAccepted
        svg.open("g", [("id", "hop-\(index)-fate"), ("class", accepted ? "fate accepted" : "fate dropped")])
        svg.rect(x: left, y: top, width: inner, height: height, fill: accepted ? Palette.acceptedFill : Palette.droppedFill,
                 stroke: accepted ? Palette.accepted : Palette.deciding, strokeWidth: 2)
        let columns = TextMetrics.columns(inner - 20)
        svg.text(x: left + 10, y: top + 17, TextMetrics.truncate(fate, columns: columns), fill: accepted ? Palette.accepted : Palette.deciding,
                 weight: "bold", tooltip: fate)
        for (offset, line) in details.enumerated() {
            svg.text(x: left + 10, y: top + 17 + (offset + 1) * TextMetrics.lineHeight, TextMetrics.truncate(line, columns: columns),
                     fill: Palette.ruleText, tooltip: line)
        }
        svg.close("g")
        return top + height
    }
}

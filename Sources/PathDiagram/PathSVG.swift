/// The whole picture's frame: margins, the title, the hops one under another joined by
/// arrows, and the summary as a caption.
enum SVGLayout {
    static let margin = 20
    static let minimumWidth = 900
    static let titleSize = 15
    static let hopGap = 56

    static func render(_ input: DiagramInput) -> String {
        let hops = input.hops.indices.map { HopSection(index: $0, input: input) }
        let titleScale = Double(titleSize) / Double(TextMetrics.fontSize)
        let width = max(minimumWidth, TextMetrics.width(input.title, scale: titleScale) + 2 * margin,
                        hops.map(\.diagram.width).max() ?? 0)
        let inner = width - 2 * margin

        var body = SVGWriter()
        var y = margin
        body.text(x: margin, y: y + 15, input.title, weight: "bold", size: titleSize, extra: [("class", "title")])
        y += 32
        if hops.isEmpty {
            body.text(x: margin, y: y + 13, "(no hops: nothing was traced)", fill: Palette.muted)
            y += 24
        }
        for hop in hops {
            y = hop.draw(into: &body, top: y, width: width)
            if hop.index + 1 < hops.count {
                let middle = width / 2
                body.arrow([(middle, y + 4), (middle, y + hopGap - 6)], hot: true, extra: [("class", "hop-link")])
                if let note = hop.hop.note {
                    body.text(x: middle + 14, y: y + hopGap / 2 + 4, TextMetrics.truncate(note, columns: TextMetrics.columns(inner / 2 - 14)),
                              fill: Palette.path, tooltip: note)
                }
                y += hopGap
            }
        }
        if !input.summary.isEmpty {
            y += 12
            body.open("g", [("class", "caption")])
            for line in input.summary.flatMap({ TextMetrics.wrap($0, columns: TextMetrics.columns(inner)) }) {
                body.text(x: margin, y: y + 12, line)
                y += TextMetrics.lineHeight
            }
            body.close("g")
        }
        let height = y + margin

        var svg = SVGWriter()
        svg.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", "\(width)"), ("height", "\(height)"),
                         ("viewBox", "0 0 \(width) \(height)"), ("font-family", "monospace"), ("font-size", "\(TextMetrics.fontSize)")])
        svg.element("title", [], text: input.title)
        if !input.summary.isEmpty { svg.element("desc", [], text: input.summary.joined(separator: "\n")) }
        svg.open("defs")
        for (id, colour) in [("arrow", Palette.idle), ("arrow-hot", Palette.path)] {
            svg.open("marker", [("id", id), ("viewBox", "0 0 10 10"), ("refX", "9"), ("refY", "5"), ("markerUnits", "userSpaceOnUse"),
                                ("markerWidth", "10"), ("markerHeight", "10"), ("orient", "auto")])
            svg.element("path", [("d", "M0,0 L10,5 L0,10 z"), ("fill", colour)])
            svg.close("marker")
        }
        svg.close("defs")
        svg.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff", stroke: "none", strokeWidth: 0)
        svg.append(body)
        svg.close("svg")
        return svg.output
    }
}

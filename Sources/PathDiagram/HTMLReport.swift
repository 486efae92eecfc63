import Netfilter

/// A minimal HTML5 page: the title, the summary, each hop's fate, the SVG inline, and every
/// step in a table. Styles are inline so the file stands alone.
enum HTMLReport {
    static let style = """
        body { font-family: monospace; margin: 16px; color: \(Palette.text); background: #ffffff; }
        h1 { font-size: 18px; }
        h2 { font-size: 15px; margin-top: 20px; }
        table { border-collapse: collapse; }
        th, td { border: 1px solid #cccccc; padding: 2px 6px; text-align: left; vertical-align: top; }
        th { background: \(Palette.headerFill); }
        tr.deciding td { background: \(Palette.decidingFill); color: \(Palette.deciding); font-weight: bold; }
        td.label { color: \(Palette.label); font-style: italic; }
        .accepted { color: \(Palette.accepted); }
        .dropped { color: \(Palette.deciding); }
        """

    static func render(_ input: DiagramInput, svg: String) -> String {
        let e = XMLText.escape
        var lines = [
            "<!DOCTYPE html>",
            "<html lang=\"en\">",
            "<head>",
            "<meta charset=\"utf-8\">",
            "<title>\(e(input.title))</title>",
            "<style>",
            style,
            "</style>",
            "</head>",
            "<body>",
            "<h1>\(e(input.title))</h1>",
        ]
        if !input.summary.isEmpty {
            lines.append("<ul class=\"summary\">")
            lines += input.summary.map { "<li>\(e($0))</li>" }
            lines.append("</ul>")
        }
        lines.append("<ul class=\"fates\">")
        for hop in input.hops {
            let fate = FateText.describe(hop.trace.fate, loopedBack: hop.trace.loopedBack)
            let node = hop.node.isEmpty ? "" : "\(hop.node): "
            lines.append("<li class=\"\(hop.trace.fate.isAccepted ? "accepted" : "dropped")\">\(e(node + fate))</li>")
        }
        lines.append("</ul>")
        lines.append("<div class=\"diagram\">")
        lines.append(svg.hasSuffix("\n") ? String(svg.dropLast()) : svg)
        lines.append("</div>")
        lines.append("<h2>Steps</h2>")
        lines.append("<table id=\"steps\">")
        lines.append("<thead><tr><th>hop</th><th>hook</th><th>table</th><th>chain</th><th>position</th><th>verdict</th><th>rule</th><th>label</th></tr></thead>")
        lines.append("<tbody>")
        for hopIndex in input.hops.indices {
            let node = input.hops[hopIndex].node
            for section in ChainPath.sections(hop: hopIndex, of: input) {
                for row in section.rows {
                    let step = row.step
                    let position = step.rule.map { "#\($0)" } ?? "policy"
                    let verdict = step.verdict.rawValue + (step.target.map { " \($0)" } ?? "")
                    let table = (step.backend == .legacy ? "legacy " : "") + step.table.rawValue
                    let cells = [node.isEmpty ? "\(hopIndex + 1)" : "\(hopIndex + 1) \(node)", section.visit.hook.rawValue, table, step.chain,
                                 position, verdict, row.ruleText ?? ""].map { "<td>\(e($0))</td>" }.joined()
                    let attributes = row.deciding ? " id=\"deciding-row\" class=\"deciding\"" : ""
                    lines.append("<tr\(attributes)>\(cells)<td class=\"label\">\(e(row.label ?? ""))</td></tr>")
                }
            }
        }
        lines.append("</tbody>")
        lines.append("</table>")
        lines.append("</body>")
        lines.append("</html>")
        return lines.joined(separator: "\n") + "\n"
    }
}

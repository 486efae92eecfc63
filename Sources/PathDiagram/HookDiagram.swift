import Netfilter

/// The netfilter hook diagram as the seed articles draw it: PREROUTING, the routing decision,
/// then INPUT to the local process or FORWARD, POSTROUTING; the local process's packets through
/// OUTPUT to POSTROUTING. One cell per table, in the kernel's priority order at that hook.
struct HookDiagram {
    static let boxWidth = 184
    static let headerHeight = 24
    static let cellHeight = 20
    static let gap = 44
    static let rowGap = 48
    static let plainBoxHeight = 40

    let highlight: PathHighlight
    let ingressText: String
    let egressText: String
    let hopIndex: Int
    let labelWidth: Int
    let egressWidth: Int

    init(trace: PacketTrace, highlight: PathHighlight, hopIndex: Int) {
        self.highlight = highlight
        self.hopIndex = hopIndex
        switch trace.input.ingress {
        case .interface(let name): ingressText = "in \(name)"
        case .local: ingressText = trace.loopedBack ? "in lo" : "from the network"
        }
        if trace.loopedBack {
            egressText = "out lo (looped back)"
        } else if case .sent(let name) = trace.fate {
            egressText = "out \(name)"
        } else {
            egressText = "out"
        }
        labelWidth = max(TextMetrics.width(ingressText), 90) + 16
        egressWidth = max(TextMetrics.width(egressText), 90) + 16
    }

    /// Tables shown at a hook: security only where the packet met it, as the articles leave it out.
    func tables(_ hook: Hook) -> [TableName] {
        hook.tablesInOrder.filter { $0 != .security || highlight.visited(hook, .security) }
    }

    static func priority(_ table: TableName, at hook: Hook) -> Int {
        switch table {
        case .raw: return -300
        case .mangle: return -150
        case .nat: return hook == .input || hook == .postrouting ? 100 : -100
        case .filter: return 0
        case .security: return 50
        }
    }

    func boxHeight(_ hook: Hook) -> Int { Self.headerHeight + tables(hook).count * Self.cellHeight + 4 }

    var column: [Int] {
        let first = SVGLayout.margin + labelWidth + Self.gap
        return (0..<4).map { first + $0 * (Self.boxWidth + Self.gap) }
    }

    var width: Int { column[3] + Self.boxWidth + Self.gap + egressWidth + SVGLayout.margin }

    var firstRowHeight: Int { max(boxHeight(.prerouting), boxHeight(.forward), boxHeight(.postrouting), Self.plainBoxHeight) }
    var secondRowHeight: Int { max(boxHeight(.input), boxHeight(.output), Self.plainBoxHeight) }
    var height: Int { firstRowHeight + Self.rowGap + secondRowHeight }

    func draw(into svg: inout SVGWriter, top: Int) {
        let columns = column
        let row2 = top + firstRowHeight + Self.rowGap
        let arrowY = Self.headerHeight / 2
        let middle = Self.boxWidth / 2
        svg.open("g", [("class", "hook-diagram")])

        let ingressHot = highlight.edges.contains(.ingressToPrerouting)
        endpoint(&svg, x: SVGLayout.margin, y: top, width: labelWidth, text: ingressText, hot: ingressHot, id: "ingress")
        let egressX = columns[3] + Self.boxWidth + Self.gap
        endpoint(&svg, x: egressX, y: top, width: egressWidth, text: egressText, hot: highlight.edges.contains(.postroutingToEgress), id: "egress")

        hookBox(&svg, .prerouting, x: columns[0], y: top)
        plainBox(&svg, "routing", "decision", x: columns[1], y: top, hot: highlight.edges.contains(.preroutingToRouting),
                 dropped: highlight.fate.isRoutingDrop, id: "routing")
        hookBox(&svg, .forward, x: columns[2], y: top)
        hookBox(&svg, .postrouting, x: columns[3], y: top)
        hookBox(&svg, .input, x: columns[1], y: row2)
        plainBox(&svg, "local", "process", x: columns[2], y: row2,
                 hot: highlight.edges.contains(.inputToLocal) || highlight.edges.contains(.localToOutput), dropped: false, id: "local")
        hookBox(&svg, .output, x: columns[3], y: row2)

        let arrows: [(DiagramEdge, [(Int, Int)])] = [
            (.ingressToPrerouting, [(SVGLayout.margin + labelWidth, top + arrowY), (columns[0] - 2, top + arrowY)]),
            (.preroutingToRouting, [(columns[0] + Self.boxWidth, top + arrowY), (columns[1] - 2, top + arrowY)]),
            (.routingToForward, [(columns[1] + Self.boxWidth, top + arrowY), (columns[2] - 2, top + arrowY)]),
            (.forwardToPostrouting, [(columns[2] + Self.boxWidth, top + arrowY), (columns[3] - 2, top + arrowY)]),
            (.postroutingToEgress, [(columns[3] + Self.boxWidth, top + arrowY), (egressX - 2, top + arrowY)]),
            (.routingToInput, [(columns[1] + middle, top + Self.plainBoxHeight), (columns[1] + middle, row2 - 2)]),
            (.inputToLocal, [(columns[1] + Self.boxWidth, row2 + arrowY), (columns[2] - 2, row2 + arrowY)]),
            (.localToOutput, [(columns[2] + Self.boxWidth, row2 + arrowY), (columns[3] - 2, row2 + arrowY)]),
            (.outputToPostrouting, [(columns[3] + middle, row2), (columns[3] + middle, top + boxHeight(.postrouting) + 2)]),
        ]
        // Grey arrows first, so the highlighted path is drawn over them.
        for hot in [false, true] {
            for (edge, points) in arrows where highlight.edges.contains(edge) == hot {
                svg.arrow(points, hot: hot, extra: [("class", hot ? "edge on-path" : "edge")])
            }
        }
        svg.close("g")
    }

    private func endpoint(_ svg: inout SVGWriter, x: Int, y: Int, width: Int, text: String, hot: Bool, id: String) {
        svg.rect(x: x, y: y, width: width, height: Self.headerHeight, fill: hot ? Palette.headerFill : "#ffffff",
                 stroke: hot ? Palette.path : Palette.idle, strokeWidth: hot ? 2 : 1, extra: [("id", "h\(hopIndex)-\(id)")])
        svg.text(x: x + width / 2, y: y + 16, text, fill: hot ? Palette.text : Palette.muted, anchor: "middle")
    }

    private func plainBox(_ svg: inout SVGWriter, _ line1: String, _ line2: String, x: Int, y: Int, hot: Bool, dropped: Bool, id: String) {
        let stroke = dropped ? Palette.deciding : hot ? Palette.path : Palette.idle
        svg.rect(x: x, y: y, width: Self.boxWidth, height: Self.plainBoxHeight, fill: dropped ? Palette.droppedFill : hot ? Palette.headerFill : Palette.idleFill,
                 stroke: stroke, strokeWidth: hot || dropped ? 2 : 1, extra: [("id", "h\(hopIndex)-\(id)")])
        let fill = hot || dropped ? Palette.text : Palette.muted
        svg.text(x: x + Self.boxWidth / 2, y: y + 17, line1, fill: fill, anchor: "middle")
        svg.text(x: x + Self.boxWidth / 2, y: y + 32, dropped ? "\(line2): dropped" : line2, fill: dropped ? Palette.deciding : fill, anchor: "middle")
    }

    private func hookBox(_ svg: inout SVGWriter, _ hook: Hook, x: Int, y: Int) {
        let reached = highlight.hooks.contains(hook)
        svg.open("g", [("id", "h\(hopIndex)-hook-\(hook.rawValue)"), ("class", reached ? "hook reached" : "hook")])
        svg.rect(x: x, y: y, width: Self.boxWidth, height: boxHeight(hook), fill: reached ? Palette.headerFill : Palette.idleFill,
                 stroke: reached ? Palette.path : Palette.idle, strokeWidth: reached ? 2 : 1)
        svg.text(x: x + Self.boxWidth / 2, y: y + 17, hook.rawValue, fill: reached ? Palette.text : Palette.muted, weight: "bold", anchor: "middle")
        for (index, table) in tables(hook).enumerated() {
            let cellY = y + Self.headerHeight + index * Self.cellHeight
            let numbers = highlight.visitNumbers[hook]?[table] ?? []
            let deciding = highlight.decidingCell.map { $0.hook == hook && $0.table == table } ?? false
            let fill = deciding ? Palette.decidingFill : numbers.isEmpty ? "#ffffff" : Palette.visitedFill
            let stroke = deciding ? Palette.deciding : numbers.isEmpty ? Palette.idle : Palette.path
            var classes = numbers.isEmpty ? "cell" : "cell visited"
            if deciding { classes += " deciding-cell" }
            svg.rect(x: x + 4, y: cellY, width: Self.boxWidth - 8, height: Self.cellHeight - 2, fill: fill, stroke: stroke,
                     strokeWidth: deciding ? 2 : 1, extra: [("class", classes), ("data-table", table.rawValue)])
            let textFill = numbers.isEmpty ? Palette.muted : Palette.text
            svg.text(x: x + 10, y: cellY + 13, "\(table.rawValue) \(Self.priority(table, at: hook))", fill: textFill)
            if !numbers.isEmpty {
                // Room left of the table name: "security 50" is the longest, 11 characters.
                let badge = TextMetrics.truncate(numbers.map { "[\($0)]" }.joined(), columns: TextMetrics.columns(Self.boxWidth - 20) - 12)
                svg.text(x: x + Self.boxWidth - 10, y: cellY + 13, badge, fill: deciding ? Palette.deciding : Palette.path, weight: "bold", anchor: "end")
            }
        }
        svg.close("g")
    }
}

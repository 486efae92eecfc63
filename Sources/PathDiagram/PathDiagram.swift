/// The netfilter hook diagram with a packet's path highlighted: an SVG picture, and a
/// standalone HTML report around it. Both are self-contained and deterministic.
public enum PathDiagram {
    public static func svg(_ input: DiagramInput) -> String {
        SVGLayout.render(input)
    }

    public static func html(_ input: DiagramInput) -> String {
        HTMLReport.render(input, svg: svg(input))
    }
}

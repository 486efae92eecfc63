import Foundation
import PathDiagram
import Testing

/// The HTML report as a real browser paints it. Without a browser the test is skipped, unless
/// CI is set: there a missing browser is a broken machine, so it fails.
@Suite("Path diagram in a headless browser")
struct BrowserTests {
    static let browser = HeadlessBrowser.find()
    static let inCI = ProcessInfo.processInfo.environment["CI"] != nil

    // No time limit on the test: it would also count the time the test waits for a thread while
    // the kernel suites hold them (observed: 930 s in the full run). The browser and python3 each
    // have their own deadline, which is what keeps a hung process from hanging the suite.
    @Test(.enabled(if: browser != nil || inCI, "no chromium-headless-shell or chromium on PATH: run Tests/setup-machine.sh (with CI set this fails)"))
    func reportPaintsTheHighlightedPath() throws {
        let browser = try #require(Self.browser, "CI is set and no chromium-headless-shell or chromium is on PATH: run Tests/setup-machine.sh")
        let python = try #require(HeadlessBrowser.onPath("python3"), "python3 decodes the screenshot's pixels")
        let input = try SeedCase.input()
        let svg = PathDiagram.svg(input)
        // Tall enough for the whole diagram, the deciding row included, under the page's title and summary.
        let svgHeight = try #require(svg.firstMatch(of: /height="(\d+)"/).flatMap { Int($0.1) })
        let (width, height) = (1300, svgHeight + 320)

        let work = FileManager.default.temporaryDirectory.appendingPathComponent("pathsim-diagram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let page = work.appendingPathComponent("seed-web-deny-all.html")
        let png = work.appendingPathComponent("seed-web-deny-all.png")
        try PathDiagram.html(input).write(to: page, atomically: true, encoding: .utf8)
        try browser.screenshot(page, to: png, width: width, height: height)

        let file = PNGFile(data: try Data(contentsOf: png))
        print("path diagram screenshot: \(png.path) (\(file.data.count) bytes, \(width)×\(height))")
        #expect(file.hasSignature)
        let size = try #require(file.size)
        #expect(size.width == width && size.height == height)

        let deciding = "ffd6d6", path = "1565c0"
        let found = try PNGFile.colours(in: png, [deciding, path], python: python)
        let decidingPixels = try #require(found[deciding])
        let pathPixels = try #require(found[path])
        // The deciding row spans the diagram's width; the highlighted arrows and boxes are blue.
        #expect(decidingPixels.count > 5000, "deciding colour painted: \(decidingPixels)")
        #expect(decidingPixels.maxX - decidingPixels.minX > 800, "deciding row spans the diagram: \(decidingPixels)")
        #expect(decidingPixels.maxY < height)
        #expect(pathPixels.count > 1000, "path colour painted: \(pathPixels)")
    }
}

import Foundation

enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func standardErrorRaw(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

enum ColourChoice: String, CaseIterable {
    case auto, always, never

    /// Colour only on a terminal, and never when NO_COLOR is set.
    var enabled: Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto: return isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }
}

/// Writes a file through a temporary one and a rename, so an interrupted run never
/// leaves half a file.
func writeAtomically(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
}

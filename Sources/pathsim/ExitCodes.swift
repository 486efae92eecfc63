import ArgumentParser

/// sysexits(3) codes, documented in the README.
enum PathsimExit {
    static let badInput = ExitCode(65)
    static let missingInput = ExitCode(66)
    static let unsupported = ExitCode(69)
    static let internalError = ExitCode(70)
}

func fail(_ message: String, _ code: ExitCode) -> ExitCode {
    FileHandleOutput.standardError("pathsim: \(message)")
    return code
}

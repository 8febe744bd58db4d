import Foundation

/// Writes an export to a file for the console's `w`: never over an existing file unless the
/// operator agreed, and always with the system's reason when it fails.
enum FileExport {
    enum Outcome: Equatable {
        case written(path: String, bytes: Int)
        /// A file is there and the operator has not agreed to replace it.
        case exists(path: String)
        case failed(String)
    }

    /// Written with open(2) and write(2): `O_EXCL` refuses a file that is there (even one that
    /// appeared after the operator was asked), and errno gives the reason in the system's words
    /// (`No such file or directory`, `Permission denied`).
    static func write(_ prompt: SavePrompt) -> Outcome {
        let path = expand(prompt.path.trimmingCharacters(in: .whitespaces))
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (prompt.overwrite ? O_TRUNC : O_EXCL)
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else {
            return errno == EEXIST ? .exists(path: path) : .failed(String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var bytes = Array(prompt.export.text.utf8)[...]
        let total = bytes.count
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return .failed(String(cString: strerror(errno))) }
            bytes = bytes.dropFirst(written)
        }
        return .written(path: path, bytes: total)
    }

    /// `~/x` in the home directory; anything else as given (relative to the working directory).
    static func expand(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] else { return path }
        return home + path.dropFirst()
    }
}

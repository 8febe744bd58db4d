import Foundation
import JSON
import StackClient
import Wire

/// A profile's `credential_process`: a command that prints
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.
public enum CredentialProcess {
    /// Runs the command (split into words as a shell would, but not through a shell, as the
    /// CLI does) and reads its output.
    public static func run(_ command: String, profile: String) async throws(StackClientError) -> TemporaryCredentials {
        let words = splitWords(command)
        guard let program = words.first else {
            throw .credentials("profile '\(profile)': credential_process is empty")
        }
        let output: (status: Int32, stdout: Data, stderr: Data)
        do {
            output = try await Task.detached { try runToCompletion(program, Array(words.dropFirst())) }.value
        } catch {
            throw .credentials("profile '\(profile)': credential_process '\(program)' could not start: \(error)")
        }
        guard output.status == 0 else {
            let said = String(decoding: output.stderr.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw .credentials("profile '\(profile)': credential_process exited with status \(output.status)"
                + (said.isEmpty ? "" : ": \(said)"))
        }
        return try parse(Array(output.stdout), profile: profile)
    }

    /// Reads the process's JSON. Pure.
    public static func parse(_ bytes: [UInt8], profile: String) throws(StackClientError) -> TemporaryCredentials {
        guard let json = try? JSONValue(parsing: bytes), json.objectValue != nil else {
            throw .credentials("profile '\(profile)': credential_process did not print a JSON object")
        }
        guard json["Version"]?.intValue == 1 else {
            throw .credentials("profile '\(profile)': credential_process printed Version \(json["Version"]?.intValue.map(String.init) ?? "(none)"); only 1 is defined")
        }
        guard let key = json["AccessKeyId"]?.stringValue, !key.isEmpty,
              let secret = json["SecretAccessKey"]?.stringValue, !secret.isEmpty else {
            throw .credentials("profile '\(profile)': credential_process printed no AccessKeyId and SecretAccessKey")
        }
        var expiration: Date?
        if let text = json["Expiration"]?.stringValue {
            guard let date = Timestamps.parse(text) else {
                throw .credentials("profile '\(profile)': credential_process printed an Expiration that is not ISO 8601: '\(text)'")
            }
            expiration = date
        }
        return TemporaryCredentials(AWSCredentials(accessKeyId: key, secretAccessKey: secret,
                                                   sessionToken: json["SessionToken"]?.stringValue),
                                    expiration: expiration)
    }

    /// Splits a command line into words: whitespace separates, single quotes keep everything,
    /// double quotes keep all but `\"` and `\\`, a backslash outside quotes escapes one character.
    public static func splitWords(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case ("'", "'"), ("\"", "\""): quote = nil
            case ("'", _): current.append(character)
            case ("\"", "\\"): escaped = true
            case ("\"", _): current.append(character)
            case (nil, "'"), (nil, "\""): quote = character; inWord = true
            case (nil, "\\"): escaped = true; inWord = true
            case (nil, " "), (nil, "\t"), (nil, "\n"):
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Runs a program (looked up on PATH when it has no slash), waiting for it to exit.
    private static func runToCompletion(_ program: String, _ arguments: [String]) throws -> (Int32, Data, Data) {
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        // stderr goes to a file: reading two pipes from one thread could block on a full one.
        let errorPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("signalbox-credential-process-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: errorPath, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let errorFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        defer { try? errorFile.close() }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = errorFile
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
        return (process.terminationStatus, outputData, errorData)
    }
}

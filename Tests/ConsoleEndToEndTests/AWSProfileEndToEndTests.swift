import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary attached through an AWS profile, as an operator with `~/.aws` would: a
/// `credential_process` hands out temporary keys with a session token, the profile's
/// `endpoint_url` points at a `signalbox serve --auth` that accepts only those keys with that
/// token, and STS (moto_server) says which account they are.
@Suite(.serialized, .enabled(if: motoServerPath != nil, "moto_server is not installed"))
struct AWSProfileEndToEndTests {
    @Test func consoleOnAProfileWithTemporaryKeys() async throws {
        let binary = try signalboxBinary()
        let port = try freePort()
        let motoPort = try freePort()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-e2e-aws-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let home = root + "/home"
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try "ASIAE2E e2esecret e2e-session-token\n".write(toFile: root + "/keys", atomically: true, encoding: .utf8)
        let process = root + "/creds"
        try """
        #!/bin/sh
        echo '{"Version": 1, "AccessKeyId": "ASIAE2E", "SecretAccessKey": "e2esecret", "SessionToken": "e2e-session-token", "Expiration": "2099-01-01T00:00:00Z"}'
        """.write(toFile: process, atomically: true, encoding: .utf8)
        chmod(process, 0o755)
        try """
        [profile team-prod]
        credential_process = \(process)
        endpoint_url = http://127.0.0.1:\(port)
        region = eu-west-1
        """.write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)

        let serve = "\(shellQuote(binary)) serve --port \(port) --data \(shellQuote(root + "/data")) --auth \(shellQuote(root + "/keys")) 2>&1; sleep 600"
        let console = "unset NO_COLOR AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ENDPOINT_URL; "
            + "HOME=\(shellQuote(home)) XDG_CONFIG_HOME=\(shellQuote(root + "/xdg")) AWS_ENDPOINT_URL_STS=http://127.0.0.1:\(motoPort) "
            + "\(shellQuote(binary)) console --endpoint aws --profile team-prod --refresh-ms 300; echo \"EXIT=$?\"; sleep 600"
        let tmux = try TmuxSession(command: "sh -c " + shellQuote(serve), columns: 180, rows: 45)
        defer { tmux.kill() }
        try await tmux.waitFor(text: "listening on")
        tmux.run(["new-window", "-d", "-t", "t:8", "sh -c " + shellQuote("\(shellQuote(motoServerPath!)) -H 127.0.0.1 -p \(motoPort) 2>&1; sleep 600")])
        try await Task.sleep(for: .seconds(2))
        tmux.run(["new-window", "-t", "t:9", "sh -c " + shellQuote(console)])
        let screen = try await tmux.waitFor(all: ["profile team-prod · account 123456789012 · eu-west-1", "● connected"])
        #expect(screen.contains("prod profile: --readonly suggested"))
        // A queue made with the same temporary keys shows: the console's signed calls (with the
        // session token) were accepted by a stack that checks them.
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        let made = spawnAndWait("/usr/bin/env", ["python3", "-c", """
        import boto3
        boto3.client("sqs", endpoint_url="http://127.0.0.1:\(port)", region_name="eu-west-1",
                     aws_access_key_id="ASIAE2E", aws_secret_access_key="e2esecret",
                     aws_session_token="e2e-session-token").create_queue(QueueName="e2e-temporary")
        """], environment: environment)
        #expect(made.status == 0, "\(made.output)")
        tmux.send("3")
        try await tmux.waitFor(text: "e2e-temporary")
        tmux.send("q")
        try await tmux.waitFor(text: "EXIT=0")
    }
}

/// `moto_server` on the PATH, if installed.
let motoServerPath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin"
    return path.split(separator: ":").map { "\($0)/moto_server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

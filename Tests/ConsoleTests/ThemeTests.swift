import Foundation
import Provider
import Testing
import Terminal
@testable import Console

@Suite struct ThemeTests {
    static let repoThemes = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    @Test func embeddedThemesMatchTheFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.repoThemes.path).filter { $0.hasSuffix(".toml") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(BuiltinThemes.sources.keys),
                "run scripts/embed-themes after adding or removing a theme")
        for file in files {
            let text = try String(contentsOf: Self.repoThemes.appendingPathComponent(file), encoding: .utf8)
            #expect(text.trimmingCharacters(in: .newlines) == BuiltinThemes.sources[String(file.dropLast(5))]?.trimmingCharacters(in: .newlines),
                    "\(file) differs from its embedded copy: run scripts/embed-themes")
        }
    }

    @Test func shippedThemesAreCompleteAndParse() throws {
        let catalog = ThemeCatalog(userDirectory: nil)
        for name in ["default", "light", "high-contrast", "mono", "colorblind"] {
            let theme = try catalog.theme(named: name)
            #expect(theme.name == name)
            #expect(theme.styles.count == PaneRegistry.standard.themeRoles.count)
            // Each shipped theme states every role itself.
            let source = BuiltinThemes.sources[name]!
            for role in PaneRegistry.standard.themeRoles { #expect(source.contains("\n\(role.name) = "), "\(name) lacks \(role.name)") }
        }
        let mono = try catalog.theme(named: "mono")
        #expect(mono.styles.values.allSatisfy { $0.foreground == .terminalDefault && $0.background == .terminalDefault })
        #expect(mono.style(.selection).attributes.contains(.reverse))
    }

    @Test func missingRolesFallBackToDefault() throws {
        let catalog = ThemeCatalog(userDirectory: nil)
        let theme = try ThemeParser.parse("""
            name = "tiny"
            [roles]
            error = { fg = "bright-red", underline = true }
            """, file: "tiny.toml", fallback: catalog.defaultTheme)
        #expect(theme.style(.error) == Style(foreground: .ansi(9), attributes: [.underline]))
        #expect(theme.style(.ok) == catalog.defaultTheme.style(.ok))
    }

    @Test func colourSpellings() {
        #expect(ThemeParser.parseColor(text: "#ff8700") == .rgb(255, 135, 0))
        #expect(ThemeParser.parseColor(text: "bright-blue") == .ansi(12))
        #expect(ThemeParser.parseColor(text: "red") == .ansi(1))
        #expect(ThemeParser.parseColor(text: "default") == .terminalDefault)
        #expect(ThemeParser.parseColor(text: "#ff87") == nil)
        #expect(ThemeParser.parseColor(text: "chartreuse") == nil)
    }

    @Test func badThemeNamesFileLineAndKey() {
        let source = "name = \"bad\"\n[roles]\ntext = { fg = \"#12345\" }\n"
        #expect {
            try ThemeParser.parse(source, file: "bad.toml", fallback: nil)
        } throws: { error in
            guard let error = error as? SettingsFileError else { return false }
            return error.file == "bad.toml" && error.line == 3 && error.key == "roles.text.fg"
                && error.description.hasPrefix("bad.toml:3: roles.text.fg: not a colour")
        }
        #expect {
            try ThemeParser.parse("name = \"x\"\n[roles]\nborder-fokus = {}\n", file: "t.toml", fallback: nil)
        } throws: { ($0 as? SettingsFileError)?.key == "roles.border-fokus" && ($0 as? SettingsFileError)?.line == 3 }
        #expect {
            try ThemeParser.parse("name = \"x\"\n[roles\n", file: "t.toml", fallback: nil)
        } throws: { ($0 as? SettingsFileError)?.line == 2 }
        #expect {
            try ThemeParser.parse("[roles]\n", file: "t.toml", fallback: nil)
        } throws: { ($0 as? SettingsFileError)?.key == "name" }
    }

    @Test func unknownThemeListsTheAvailableOnes() {
        let catalog = ThemeCatalog(userDirectory: nil)
        #expect {
            try catalog.theme(named: "solarized-purple")
        } throws: { "\($0)".contains("unknown theme") && "\($0)".contains("high-contrast") }
    }

    @Test func themeFileByPath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("signalbox-theme-\(UUID()).toml").path
        try "name = \"mine\"\n[roles]\nok = { fg = 34, bold = true }\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let theme = try ThemeCatalog(userDirectory: nil).theme(named: path)
        #expect(theme.name == "mine")
        #expect(theme.style(.ok) == Style(foreground: .indexed(34), attributes: [.bold]))
    }
}

@Suite struct ConfigTests {
    @Test func fullConfigParses() throws {
        let config = try ConsoleConfig.parse("""
            theme = "light"
            refresh_ms = 500
            endpoint = "staging"
            readonly = true

            [keys]
            quit = "x"
            help = ["?", "F2"]

            [endpoints.staging]
            url = "http://localhost:4566"
            region = "eu-west-1"
            """, file: "config.toml")
        #expect(config.theme == "light")
        #expect(config.refreshMilliseconds == 500)
        #expect(config.readOnly)
        #expect(config.keyOverrides["help"] == [.character("?"), .function(2)])
        #expect(config.endpoints["staging"]?.region == "eu-west-1")
    }

    @Test func badConfigsSayWhatIsWrong() {
        func error(_ text: String) -> SettingsFileError? {
            do { _ = try ConsoleConfig.parse(text, file: "c.toml"); return nil } catch { return error }
        }
        #expect(error("refresh_ms = 5\n")?.description == "c.toml:1: refresh_ms: must be a whole number of milliseconds between 100 and 60000")
        #expect(error("theme = \"x\"\ncolour = 1\n")?.line == 2)
        #expect(error("[keys]\nfly = \"f\"\n")?.key == "keys.fly")
        #expect(error("[keys]\nquit = \"Ctrl-\"\n")?.description.contains("not a key") == true)
        #expect(error("[endpoints.prod]\nurl = \"ftp://x\"\n")?.key == "endpoints.prod")
        #expect(error("theme = \n")?.line == 1)
    }

    @Test func missingDefaultFileIsFineButMissingExplicitFileIsNot() throws {
        #expect(try ConsoleConfig.load(path: "/nonexistent/signalbox.toml", explicit: false) == ConsoleConfig())
        #expect(throws: SettingsFileError.self) { try ConsoleConfig.load(path: "/nonexistent/signalbox.toml", explicit: true) }
    }
}

@Suite struct AuditTrailTests {
    @Test func appendsOneJSONLinePerAction() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sbx-audit-\(UUID())/audit.log").path
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let trail = AuditTrail(path: path)
        let endpoint = EndpointDescription(name: "local", url: "http://127.0.0.1:4566")
        try trail.append(.init(time: Fixtures.now, user: "oncall", endpoint: endpoint,
                               action: .forceBreaker(service: "payment", dependency: "payment-api", .open, reason: "incident"), outcome: "done: forced"))
        try trail.append(.init(time: Fixtures.now, user: "oncall", endpoint: endpoint,
                               action: .releaseBreaker(service: "payment", dependency: "payment-api", reason: "over"), outcome: "failed: not connected"))
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: String]
        #expect(first?["user"] == "oncall")
        #expect(first?["action"] == "force breaker payment → payment-api OPEN")
        #expect(first?["endpoint"] == "http://127.0.0.1:4566")
        #expect(first?["time"] == "2026-11-18T11:06:40.000Z")
        #expect(first?["reason"] == "")
        #expect(first?["parameters"] == #"{"dependency":"payment-api","force":"force-open","reason":"incident","service":"payment"}"#)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

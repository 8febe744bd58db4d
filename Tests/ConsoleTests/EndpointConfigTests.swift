import Console
import Testing

@Suite("[endpoints.NAME] for AWS accounts")
struct EndpointConfigTests {
    @Test("an endpoint with a profile and region but no url is AWS itself")
    func awsEndpoint() throws {
        let config = try ConsoleConfig.parse("[endpoints.prod]\nprofile = \"prod\"\nregion = \"eu-west-1\"\n", file: "c.toml")
        let prod = try #require(config.endpoints["prod"])
        #expect(prod.url == nil)
        #expect(prod.profile == "prod")
        #expect(prod.region == "eu-west-1")
    }

    @Test("a profile that is not a string is refused by name")
    func badProfile() {
        do {
            _ = try ConsoleConfig.parse("[endpoints.prod]\nprofile = 3\n", file: "c.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.description == "c.toml:2: endpoints.prod.profile: must be a non-empty string")
        }
    }
}

@Suite("[endpoints.NAME] board")
struct EndpointBoardConfigTests {
    @Test("board = URL is read; anything else is refused")
    func board() throws {
        let config = try ConsoleConfig.parse("[endpoints.prod]\nprofile = \"prod\"\nboard = \"http://board.internal:4599\"\n", file: "c.toml")
        #expect(config.endpoints["prod"]?.board == "http://board.internal:4599")
        #expect(throws: SettingsFileError.self) { try ConsoleConfig.parse("[endpoints.prod]\nboard = \"ftp://x\"\n", file: "c.toml") }
    }
}

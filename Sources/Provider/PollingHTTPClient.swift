import AsyncHTTPClient

/// The HTTP client a provider's calls go through. Unlike `HTTPClient.shared`, a refused or
/// failed connection fails the call at once instead of being retried until the call's deadline:
/// an operator must see "not connected: connection refused" within one poll, not after ten
/// seconds of "connecting". Process-wide and never shut down, like the shared client.
enum PollingHTTPClient {
    static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        return HTTPClient(configuration: configuration)
    }()
}

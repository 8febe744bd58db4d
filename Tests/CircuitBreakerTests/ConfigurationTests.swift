import CircuitBreaker
import Testing
import Timekeeping

@Suite struct ConfigurationTests {
    @Test func defaultsAreResilience4js() throws {
        let configuration = BreakerConfiguration()
        try configuration.validate()
        #expect(configuration.slidingWindow == .count(size: 100))
        #expect(configuration.minimumNumberOfCalls == 100)
        #expect(configuration.failureRateThreshold == 50)
        #expect(configuration.slowCallRateThreshold == 100)
        #expect(configuration.slowCallDurationThreshold == .seconds(60))
        #expect(configuration.waitDurationInOpen == .seconds(60))
        #expect(configuration.permittedCallsInHalfOpen == 10)
    }

    @Test(arguments: [
        (BreakerConfiguration(slidingWindow: .count(size: 0)), "slidingWindow.size must be between 1 and 100000 calls, got 0"),
        (BreakerConfiguration(slidingWindow: .time(seconds: 3601)), "slidingWindow.size must be between 1 and 3600 seconds, got 3601"),
        (BreakerConfiguration(minimumNumberOfCalls: 0), "minimumNumberOfCalls must be at least 1, got 0"),
        (BreakerConfiguration(failureRateThreshold: 100.5), "failureRateThreshold must be a percentage above 0 and at most 100, got 100.5"),
        (BreakerConfiguration(slowCallRateThreshold: .nan), "slowCallRateThreshold must be a percentage above 0 and at most 100, got nan"),
        (BreakerConfiguration(slowCallDurationThreshold: .zero), "slowCallDurationThresholdMs must be positive, got 0 s"),
        (BreakerConfiguration(waitDurationInOpen: .seconds(-1)), "waitDurationInOpenMs must not be negative, got -1 s"),
        (BreakerConfiguration(permittedCallsInHalfOpen: 0), "permittedCallsInHalfOpen must be between 1 and 100000, got 0"),
        (BreakerConfiguration(maxWaitDurationInHalfOpen: .zero), "maxWaitDurationInHalfOpenMs must be positive when set, got 0 s"),
        (BreakerConfiguration(callTimeout: .milliseconds(-5)), "callTimeoutMs must be positive when set, got -5 ms"),
    ])
    func invalidSettingsAreNamed(configuration: BreakerConfiguration, message: String) {
        let error = #expect(throws: BreakerConfigurationError.self) {
            try CircuitBreaker(id: gateway, configuration: configuration, clock: ManualClock())
        }
        #expect(error?.description == message)
    }

    @Test func invalidNamesAreRefused() {
        for (id, message) in [
            (BreakerID(service: "", dependency: "x"), "service must not be empty"),
            (BreakerID(service: "a", dependency: String(repeating: "d", count: 257)), "dependency must be at most 256 bytes, got 257"),
            (BreakerID(service: "pay\nment", dependency: "x"), "service must not contain control character U+000A"),
        ] {
            let error = #expect(throws: BreakerConfigurationError.self) {
                try CircuitBreaker(id: id, clock: ManualClock())
            }
            #expect(error?.description == message)
        }
    }
}

import StackClient
import Timekeeping

/// What every demo service shares: the endpoint, the chaos in force, the counters, and the
/// bus for its domain events.
struct ServiceContext: Sendable {
    let client: AWSClient
    let resources: DemoResources
    let chaos: ChaosControl
    let counters: DemoCounters
    let pollersPerActivity: Int
    let clock: any TimeSource

    var events: DomainEvents { DomainEvents(client: client, counters: counters) }

    func worker(service: String, activity: String,
                handler: @escaping ActivityWorker.Handler) -> ActivityWorker {
        ActivityWorker(client: client, activity: activity, activityArn: resources.activityArns[activity] ?? activity,
                       service: service, chaos: chaos, counters: counters, pollers: pollersPerActivity,
                       clock: clock, handler: handler)
    }

    /// Injected latency; returns early when the demo is stopping.
    func pause(_ duration: Duration) async {
        guard duration > .zero else { return }
        try? await clock.sleep(for: duration)
    }
}

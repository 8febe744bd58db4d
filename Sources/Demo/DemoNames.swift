/// The names the demo creates on an endpoint. Fixed, so that setup is idempotent and an
/// operator recognises them in the console.
public enum DemoNames {
    public static let bus = "shop-bus"
    public static let orderSource = "shop.orders"
    public static let orderCreated = "Order Created"
    public static let stateMachine = "order-saga"
    public static let sagaRule = "order-created"
    public static let notificationRule = "order-notifications"
    public static let analyticsRule = "order-analytics"
    public static let notificationQueue = "notification"
    public static let analyticsQueue = "analytics"
    public static let analyticsDeadLetterQueue = "analytics-dlq"
    /// Receives before an analytics message moves to its dead-letter queue.
    public static let analyticsMaxReceiveCount = 3
    public static let namespace = "shop.local"
    public static let services = ["order", "inventory", "payment", "shipping", "notification", "analytics"]

    /// The seed's Lambda functions; the stack dispatches each as the activity of that name.
    public enum Activity {
        public static let inventoryReserve = "inventory-reserve"
        public static let paymentCharge = "payment-charge"
        public static let shippingCreate = "shipping-create"
        public static let inventoryRelease = "inventory-release"
        public static let paymentRefund = "payment-refund"
        public static let all = [inventoryReserve, paymentCharge, shippingCreate, inventoryRelease, paymentRefund]
    }

    /// What each service publishes to and consumes from, as its Cloud Map instances say in the
    /// attributes `signalbox:publishes` and `signalbox:consumes` (comma-separated names): the
    /// APIs cannot tell who sends events or polls an activity, so the topology map reads these.
    public static let publishes: [String: String] = [
        "order": bus, "inventory": bus, "payment": bus, "shipping": bus,
    ]
    public static let consumes: [String: String] = [
        "inventory": Activity.inventoryReserve + "," + Activity.inventoryRelease,
        "payment": Activity.paymentCharge + "," + Activity.paymentRefund,
        "shipping": Activity.shippingCreate,
        "notification": notificationQueue,
        "analytics": analyticsQueue,
    ]

    /// Seconds an instance may go without a heartbeat before the registry calls it UNHEALTHY.
    public static let heartbeatTTLSeconds = 6
}

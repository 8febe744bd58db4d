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

    /// The payment service's breaker on the board.
    public static let paymentBreakerService = "payment"
    public static let paymentBreakerDependency = "payment-gateway"

    /// Seconds an instance may go without a heartbeat before the registry calls it UNHEALTHY.
    public static let heartbeatTTLSeconds = 6
}

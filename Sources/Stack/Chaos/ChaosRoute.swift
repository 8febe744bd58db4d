import Chaos
import Hummingbird
import JSON
import NIOCore
import StackProtocol
import Wire

/// `/_signalbox/chaos`: run-time fault injection for the demo (README, "Demo").
///
/// - `GET` → `ChaosAnswer`
/// - `PUT ChaosRequest` → validated and stored, answered like GET; a bad body or spec is a 400
///   `ValidationException` naming the bad part, and nothing changes
/// - `DELETE` → no faults, answered like GET
public struct ChaosRoute: StackRouteExtension {
    public static let path = ExtensionPaths.chaos
    static let maximumBodyBytes = 16 * 1024
    public let board: ChaosBoard
    /// A `--readonly` stack shows the spec but refuses to change it (403).
    public let readOnly: Bool

    public init(board: ChaosBoard, readOnly: Bool = false) {
        self.board = board
        self.readOnly = readOnly
    }

    public func addRoutes(to router: Router<StackRequestContext>) {
        let board = self.board
        let readOnly = self.readOnly
        let path = RouterPath(stringLiteral: Self.path)
        router.get(path) { _, _ -> Response in Self.answer(board.current) }
        router.delete(path) { _, _ -> Response in
            if readOnly { return Self.readOnlyRefusal }
            board.set(.none)
            return Self.answer(board.current)
        }
        router.put(path) { request, _ -> Response in
            if readOnly { return Self.readOnlyRefusal }
            var request = request
            let bytes: ByteBuffer
            do {
                bytes = try await request.collectBody(upTo: Self.maximumBodyBytes)
            } catch {
                return Self.refuse("The body must be a JSON object of at most \(Self.maximumBodyBytes) bytes.")
            }
            switch Self.spec(from: Array(buffer: bytes)) {
            case .success(let spec):
                board.set(spec)
                return Self.answer(spec)
            case .failure(let error):
                return Self.refuse(error.message)
            }
        }
    }

    /// The spec a PUT body asks for, or why it cannot be applied.
    static func spec(from body: [UInt8]) -> Result<ChaosSpec, AWSError> {
        let request: ChaosRequest
        do throws(StackProtocolError) {
            // Not JSON at all gets the same answer as JSON that is not an object.
            request = try ChaosRequest(json: (try? JSONValue(parsing: body)) ?? .null)
        } catch {
            return .failure(.validation(error.message))
        }
        do {
            return .success(try ChaosSpec(parsing: request.spec))
        } catch {
            return .failure(.validation(error.description))
        }
    }

    static func answer(_ spec: ChaosSpec) -> Response {
        json(200, ChaosAnswer(spec: spec).json)
    }

    static var readOnlyRefusal: Response {
        refuse(AWSError(code: "ReadOnlyModeException", message: "This stack was started with --readonly: chaos cannot be changed",
                        status: 403))
    }

    static func refuse(_ message: String) -> Response {
        refuse(AWSError.validation(message))
    }

    static func refuse(_ error: AWSError) -> Response {
        var response = json(error.status, error.body)
        response.headers[.init("x-amzn-ErrorType")!] = error.wireType
        return response
    }

    static func json(_ status: Int, _ value: JSONValue) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: value.utf8Bytes)))
    }
}

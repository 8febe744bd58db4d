import JSON
import Patterns
import Testing

/// Compiles `pattern` and matches `event`, both JSON text. Every way in must agree: the parsed
/// event, the event text (parsed keeping only what the pattern reads) and an index over it.
func match(_ pattern: String, _ event: String) throws -> Bool {
    let compiled = try EventPattern(parsing: pattern)
    let value = try JSONValue(parsing: event)
    let verdict = compiled.matches(value)
    #expect(compiled.matches(eventText: event) == verdict, "text path disagrees: \(pattern) on \(event)")
    let index = PatternIndex([(0, compiled)])
    #expect(index.matches(value) == (verdict ? [0] : []), "index disagrees: \(pattern) on \(event)")
    #expect(try index.matches(eventText: event) == (verdict ? [0] : []), "index text path disagrees: \(pattern) on \(event)")
    return verdict
}

/// The reason AWS would give for refusing `pattern`; nil when it compiles.
func refusal(_ pattern: String) -> String? {
    do {
        _ = try EventPattern(parsing: pattern)
        return nil
    } catch {
        return error.reason
    }
}

/// The sample event from the EventBridge documentation, used by the documented examples.
let ec2Event = """
{
  "version": "0",
  "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "012345679012",
  "time": "2017-10-02T16:24:49Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    "state": "running"
  }
}
"""

import JSON
@testable import JSONata
import Testing

/// The sample document of jsonata.org's documentation, which its examples query.
let addressDocument: JSONValue = try! JSONValue(parsing: """
{
  "FirstName": "Fred", "Surname": "Smith", "Age": 28,
  "Address": { "Street": "Hursley Park", "City": "Winchester", "Postcode": "SO21 2JN" },
  "Phone": [
    { "type": "home", "number": "0203 544 1234" },
    { "type": "office", "number": "01962 001234" },
    { "type": "office", "number": "01962 001235" },
    { "type": "mobile", "number": "077 7700 1234" }
  ],
  "Email": [
    { "type": "work", "address": ["fred.smith@my-work.com", "fsmith@my-work.com"] },
    { "type": "home", "address": ["freddy@my-social.com", "frederic.smith@very-serious.com"] }
  ],
  "Other": {
    "Over 18 ?": true, "Misc": null,
    "Alternative.Address": { "Street": "Brick Lane", "City": "London", "Postcode": "E1 6RF" }
  }
}
""")

/// The evaluation of `expression` (nil: undefined).
func eval(_ expression: String, _ input: JSONValue? = addressDocument, bindings: [String: JSONValue] = [:]) throws -> JSONValue? {
    try JSONataExpression(expression).evaluate(input, bindings: bindings)
}

/// `expected` parsed as JSON text, for results that are easier to read that way.
func json(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }

/// The error `expression` raises, parsing or evaluating.
func failure(_ expression: String, _ input: JSONValue? = addressDocument) -> JSONataError? {
    do {
        _ = try JSONataExpression(expression).evaluate(input)
        return nil
    } catch {
        return error
    }
}

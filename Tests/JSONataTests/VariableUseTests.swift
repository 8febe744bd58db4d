import JSON
@testable import JSONata
import Testing

/// `variableUses`: which `$name` variables an expression mentions and whether it reads only
/// named members of them. Callers leave out what an expression cannot read (Step Functions'
/// `$states.context`), so a use reported too narrow would change results.
@Suite struct VariableUseTests {
    func uses(_ source: String) throws -> [String: VariableUse] {
        try JSONataExpression(source).variableUses
    }

    @Test func aPathThroughAVariableReadsTheMembersItNames() throws {
        #expect(try uses("$states.input.orderId") == ["states": .members(["input"])])
        #expect(try uses("$states.input.a & $states.result.b") == ["states": .members(["input", "result"])])
        #expect(try uses("$states.context.Task.Token") == ["states": .members(["context"])])
        #expect(try uses("$states.`context`.Execution.Id") == ["states": .members(["context"])])
        #expect(try uses("$states.\"context\"") == ["states": .members(["context"])])
        #expect(try uses("$sum($order.items.price)") == ["order": .members(["items"]), "sum": .whole])
    }

    @Test func anyOtherReadIsOfTheWholeValue() throws {
        #expect(try uses("$states") == ["states": .whole])
        #expect(try uses("$keys($states)") == ["states": .whole, "keys": .whole])
        #expect(try uses("$states.*") == ["states": .whole])
        #expect(try uses("$states.**.Token") == ["states": .whole])
        #expect(try uses("$states[0].input") == ["states": .whole])
        #expect(try uses("$lookup($states, 'context')") == ["states": .whole, "lookup": .whole])
        #expect(try uses("($s := $states; $s.context)") == ["states": .whole, "s": .members(["context"])])
        #expect(try uses("$states.input.a & $string($states)") == ["states": .whole, "string": .whole])
        #expect(try uses("$states ~> $keys()") == ["states": .whole, "keys": .whole])
        #expect(try uses("$map([1], function($v) { $states })") == ["states": .whole, "map": .whole])
    }

    @Test func variablesInsidePredicatesLambdasAndLaterStepsAreFound() throws {
        #expect(try uses("items[price > $limit.max].name") == ["limit": .members(["max"])])
        #expect(try uses("a.b.($x.y)") == ["x": .members(["y"])])
        #expect(try uses("{'k': $v.w}") == ["v": .members(["w"])])
        #expect(try uses("$ & $$.a") == [:])
    }

    @Test func membersAreWhatTheRestOfTheExpressionCanSee() throws {
        // The use decides what a caller may leave out: an expression given only the members
        // it reads returns what it returns with the whole value.
        let whole: JSONValue = ["input": ["a": 1], "context": ["Task": ["Token": "t"]], "result": ["b": 2]]
        for source in ["$states.input.a + $states.result.b", "$states.context.Task.Token", "$keys($states)", "$count($states.*)"] {
            let expression = try JSONataExpression(source)
            let use = try #require(expression.variableUses["states"])
            var trimmed = JSONObject()
            for (key, value) in whole.objectValue! where use.reads(key) { trimmed[key] = value }
            #expect(try expression.evaluate(nil, bindings: ["states": .object(trimmed)]) == expression.evaluate(nil, bindings: ["states": whole]),
                    "\(source)")
        }
    }

    @Test func onlyTheVariablesMentionedAreAskedFor() throws {
        var asked: [String] = []
        var random = SystemRandomNumberGenerator()
        let result = try JSONataExpression("$a + $b.c").evaluate(nil, variable: { name in
            asked.append(name)
            return name == "a" ? 1 : ["c": 2]
        }, random: &random)
        #expect(result == 3)
        #expect(asked.sorted() == ["a", "b"])
    }
}

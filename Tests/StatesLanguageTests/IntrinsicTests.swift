import JSON
@testable import StatesLanguage
import Testing
import Timekeeping

/// Every intrinsic function, its argument checks and its failures.
@Suite struct IntrinsicTests {
    let data: JSONValue = ["name": "Ada", "n": 3, "list": [1, 2, 2, 3], "obj": ["a": 1], "text": "a,b;;c"]

    func eval(_ expression: String, seed: UInt64 = 1) throws -> JSONValue {
        var random = SplitMix64(seed: seed)
        return try IntrinsicCall(parsing: expression).evaluate(data: data, context: ["Execution": ["Name": "run-1"]], variables: ["limit": 2, "who": ["name": "Lin"]], random: &random)
    }

    func failure(_ expression: String) -> StatesError? {
        do { _ = try eval(expression); return nil } catch let error as StatesError { return error } catch { return nil }
    }

    @Test func format() throws {
        #expect(try eval("States.Format('Hello, {}! n={} ok={} nil={}', $.name, $.n, true, null)") == "Hello, Ada! n=3 ok=true nil=null")
        #expect(try eval(#"States.Format('literal \{braces\} and {}', $$.Execution.Name)"#) == "literal {braces} and run-1")
        #expect(try eval(#"States.Format('it\'s {}', 'fine')"#) == "it's fine")
        #expect(failure("States.Format('{} {}', 'one')")?.error == "States.IntrinsicFailure")
    }

    /// AWS writes arrays and objects in States.Format the way Java prints collections
    /// (issue #17: `{Arg1=1, Arg2=[]}`).
    @Test func formatWritesObjectsAndArraysAsJavaDoes() throws {
        #expect(try eval("States.Format('{}', $.obj)") == "{a=1}")
        #expect(try eval(#"States.Format('{}', States.StringToJson('{"Arg1":1,"Arg2":[]}'))"#) == "{Arg1=1, Arg2=[]}")
        #expect(try eval(#"States.Format('{}', States.Array('x', 1, States.StringToJson('{"k":["y"]}')))"#) == "[x, 1, {k=[y]}]")
    }

    /// Workflow variables are read as `$name` in intrinsic arguments (AWS's variables page).
    @Test func argumentsReadVariables() throws {
        #expect(try eval("States.Format('{} takes {}', $who.name, $limit)") == "Lin takes 2")
        #expect(try eval("States.MathAdd($limit, 1)") == 3)
        #expect(failure("States.MathAdd($unset, 1)")?.error == "States.IntrinsicFailure")
    }

    /// Only `\'`, `\{`, `\}` and `\\` may be escaped in a string literal; anything else is
    /// a definition error (refused at CreateStateMachine).
    @Test func illegalEscapesAreRefused() throws {
        #expect(throws: IntrinsicParseError.self) { try IntrinsicCall(parsing: #"States.Format('a\nb')"#) }
        #expect(throws: IntrinsicParseError.self) { try IntrinsicCall(parsing: #"States.Format('a\"b')"#) }
        #expect(try eval(#"States.Format('back\\slash \{\}')"#) == #"back\slash {}"#)
    }

    @Test func jsonConversions() throws {
        #expect(try eval("States.StringToJson('{\"a\":[1,2]}')") == ["a": [1, 2]])
        #expect(try eval("States.JsonToString($.obj)") == #"{"a":1}"#)
        #expect(failure("States.StringToJson('{nope')")?.error == "States.IntrinsicFailure")
        // AWS gives null for an empty or blank string.
        #expect(try eval("States.StringToJson('')") == .null)
        #expect(try eval("States.StringToJson(' ')") == .null)
    }

    @Test func arrays() throws {
        #expect(try eval("States.Array('a', $.n, States.Array())") == ["a", 3, []])
        #expect(try eval("States.ArrayPartition($.list, 3)") == [[1, 2, 2], [3]])
        #expect(try eval("States.ArrayContains($.list, 3)") == true)
        #expect(try eval("States.ArrayContains($.list, 9)") == false)
        #expect(try eval("States.ArrayRange(1, 9, 3)") == [1, 4, 7])
        #expect(try eval("States.ArrayRange(5, 1, -2)") == [5, 3, 1])
        #expect(try eval("States.ArrayGetItem($.list, 3)") == 3)
        #expect(try eval("States.ArrayLength($.list)") == 4)
        #expect(try eval("States.ArrayUnique($.list)") == [1, 2, 3])
        #expect(failure("States.ArrayPartition($.list, 0)") != nil)
        #expect(failure("States.ArrayRange(1, 5000, 1)")?.cause?.contains("1000") == true)
        #expect(failure("States.ArrayGetItem($.list, 4)") != nil)
        #expect(failure("States.ArrayLength($.name)") != nil)
    }

    @Test func base64AndHash() throws {
        #expect(try eval("States.Base64Encode('Data to encode')") == "RGF0YSB0byBlbmNvZGU=")
        #expect(try eval("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')") == "Data to encode")
        #expect(failure("States.Base64Decode('***')") != nil)
        #expect(try eval("States.Hash('abc', 'MD5')") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(try eval("States.Hash('abc', 'SHA-1')") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(try eval("States.Hash('abc', 'SHA-256')") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try eval("States.Hash('abc', 'SHA-384')") == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        #expect(try eval("States.Hash('abc', 'SHA-512')") == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(try eval("States.Hash('', 'SHA-256')") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = String(repeating: "a", count: 1000)
        #expect(try eval("States.Hash('\(long)', 'MD5')") == "cabe45dcc9ae5b66ba86600cca6b8ba8")
        #expect(failure("States.Hash('abc', 'CRC32')") != nil)
    }

    @Test func mergeMathSplitUUID() throws {
        #expect(try eval("States.JsonMerge($.obj, States.StringToJson('{\"b\":2,\"a\":0}'), false)") == ["a": 0, "b": 2])
        #expect(failure("States.JsonMerge($.obj, $.obj, true)") != nil)
        #expect(try eval("States.MathAdd($.n, -5)") == -2)
        // Java's Math.round on each argument, as AWS (issue #17's cases).
        #expect(try eval("States.MathAdd(1.49, 1.50)") == 3)
        #expect(try eval("States.MathAdd(-1.5, 0)") == -1)
        #expect(try eval("States.MathAdd(1.5, 1)") == 3)
        #expect(failure("States.MathAdd('1', 1)") != nil)
        let random = try eval("States.MathRandom(10, 20)")
        #expect((10..<20).contains(random.intValue ?? -1))
        // A non-integer bound is rounded to the nearest integer (AWS's intrinsic functions page).
        #expect(try eval("States.MathRandom(9.5, 11.4)").intValue == 10)
        #expect(try eval("States.MathRandom(1, 1000, 42)") == eval("States.MathRandom(1, 1000, 42)", seed: 99))
        #expect(try eval("States.StringSplit($.text, ',;')") == ["a", "b", "c"])
        let uuid = try #require(try eval("States.UUID()").stringValue)
        #expect(uuid.count == 36 && Array(uuid)[14] == "4")
        #expect(try eval("States.UUID()", seed: 5) == eval("States.UUID()", seed: 5))
    }

    @Test(arguments: ["States.Nope()", "States.Format", "States.Format('a'", "States.UUID(1)", "States.ArrayLength()",
                      "States.MathAdd(1, 2, 3)", "States.Array('unterminated)", "States.Array(1) trailing", "States.Array(bogus)"])
    func parseErrors(expression: String) {
        #expect(throws: IntrinsicParseError.self) { try IntrinsicCall(parsing: expression) }
    }

    @Test func missingPathArgumentIsIntrinsicFailure() {
        #expect(failure("States.ArrayLength($.nothing)")?.error == "States.IntrinsicFailure")
    }
}

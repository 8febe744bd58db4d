import JSON
@testable import JSONata
import Testing

/// The standard library, with the examples and outputs of jsonata.org's function pages.
@Suite struct FunctionTests {
    @Test func strings() throws {
        #expect(try eval("$string(5)", nil) == "5")
        #expect(try eval("$string(22/7)", nil) == "3.14285714285714")
        #expect(try eval("$string({'a': 1, 'b': true})", nil) == #"{"a":1,"b":true}"#)
        #expect(try eval("$string([1, 2], true)", nil) == "[\n  1,\n  2\n]")
        #expect(try eval("[1..3].$string()", nil) == ["1", "2", "3"])
        #expect(try eval("$length('Hello World')", nil) == 11)
        #expect(try eval("$substring('Hello World', 3)", nil) == "lo World")
        #expect(try eval("$substring('Hello World', 3, 5)", nil) == "lo Wo")
        #expect(try eval("$substring('Hello World', -4)", nil) == "orld")
        #expect(try eval("$substring('Hello World', -4, 2)", nil) == "or")
        #expect(try eval("$substringBefore('Hello World', ' ')", nil) == "Hello")
        #expect(try eval("$substringAfter('Hello World', ' ')", nil) == "World")
        #expect(try eval("$uppercase('Hello World')", nil) == "HELLO WORLD")
        #expect(try eval("$lowercase('Hello World')", nil) == "hello world")
        #expect(try eval("$trim(' Hello \\n World ')", nil) == "Hello World")
        #expect(try eval("$pad('foo', 5)", nil) == "foo  ")
        #expect(try eval("$pad('foo', -5)", nil) == "  foo")
        #expect(try eval("$pad('foo', -5, '#')", nil) == "##foo")
        #expect(try eval("$formatBase(35, 2) ~> $pad(-8, '0')", nil) == "00100011")
        #expect(try eval("Address.City.$uppercase()") == "WINCHESTER")
    }

    @Test func patterns() throws {
        #expect(try eval("$contains('abracadabra', 'bra')", nil) == true)
        #expect(try eval("$contains('abracadabra', /a.*a/)", nil) == true)
        #expect(try eval("$contains('abracadabra', /ar.*a/)", nil) == false)
        #expect(try eval("$contains('Hello World', /wo/)", nil) == false)
        #expect(try eval("$contains('Hello World', /wo/i)", nil) == true)
        #expect(try eval("Phone[$contains(number, /^077/)].type") == "mobile")
        #expect(try eval("$split('so many words', ' ')", nil) == ["so", "many", "words"])
        #expect(try eval("$split('so many words', ' ', 2)", nil) == ["so", "many"])
        #expect(try eval("$split('too much, punctuation. hard; to read', /[ ,.;]+/)", nil) == ["too", "much", "punctuation", "hard", "to", "read"])
        #expect(try eval("$split('too much, punctuation. hard; to read', /[ ,.;]+/, 3) ~> $join(', ')", nil) == "too, much, punctuation")
        #expect(try eval("$join(['a', 'b', 'c'])", nil) == "abc")
        #expect(try eval("$match('ababbabbcc', /a(b+)/)", nil) == json(#"[{"match":"ab","index":0,"groups":["b"]},{"match":"abb","index":2,"groups":["bb"]},{"match":"abb","index":5,"groups":["bb"]}]"#))
        #expect(try eval("$replace('John Smith and John Jones', 'John', 'Mr')", nil) == "Mr Smith and Mr Jones")
        #expect(try eval("$replace('John Smith and John Jones', 'John', 'Mr', 1)", nil) == "Mr Smith and John Jones")
        #expect(try eval("$replace('abracadabra', /a.*?a/, '*')", nil) == "*c*bra")
        #expect(try eval("$replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1')", nil) == "Smith, John")
        #expect(try eval("$replace('265USD', /([0-9]+)USD/, '$$$1')", nil) == "$265")
        #expect(try eval("$replace('temp 30C', /(\\d+)C/, function($m) { $string($number($m.groups[0]) * 9 / 5 + 32) & 'F' })", nil) == "temp 86F")
    }

    @Test func encodings() throws {
        #expect(try eval("$base64encode('myuser:mypass')", nil) == "bXl1c2VyOm15cGFzcw==")
        #expect(try eval("$base64decode('bXl1c2VyOm15cGFzcw==')", nil) == "myuser:mypass")
        #expect(try eval("$encodeUrlComponent('?x=test')", nil) == "%3Fx%3Dtest")
        #expect(try eval("$encodeUrl('https://mozilla.org/?x=шеллы')", nil) == "https://mozilla.org/?x=%D1%88%D0%B5%D0%BB%D0%BB%D1%8B")
        #expect(try eval("$decodeUrlComponent('%3Fx%3Dtest')", nil) == "?x=test")
    }

    @Test func numbers() throws {
        #expect(try eval("$number('5')", nil) == 5)
        #expect(try eval("$number('0x12')", nil) == 18)
        #expect(failure("$number('abc')")?.code == "D3030")
        #expect(try eval("$abs(-5)", nil) == 5)
        #expect(try eval("$floor(5.3)", nil) == 5)
        #expect(try eval("$floor(-5.3)", nil) == -6)
        #expect(try eval("$ceil(5.3)", nil) == 6)
        #expect(try eval("$round(123.456)", nil) == 123)
        #expect(try eval("$round(123.456, 2)", nil) == 123.46)
        #expect(try eval("$round(123.456, -1)", nil) == 120)
        #expect(try eval("$round(123.456, -2)", nil) == 100)
        #expect(try eval("$round(11.5)", nil) == 12)
        #expect(try eval("$round(12.5)", nil) == 12)
        #expect(try eval("$round(125, -1)", nil) == 120)
        #expect(try eval("$power(2, 8)", nil) == 256)
        #expect(try eval("$power(2, -2)", nil) == 0.25)
        #expect(try eval("$sqrt(4)", nil) == 2)
        #expect(failure("$sqrt(-1)")?.code == "D3060")
        #expect(try eval("$formatNumber(12345.6, '#,###.00')", nil) == "12,345.60")
        #expect(try eval("$formatNumber(1234.5678, '00.000e0')", nil) == "12.346e2")
        #expect(try eval("$formatNumber(34.555, '#0.00;(#0.00)')", nil) == "34.56")
        #expect(try eval("$formatNumber(-34.555, '#0.00;(#0.00)')", nil) == "(34.56)")
        #expect(try eval("$formatNumber(0.14, '01%')", nil) == "14%")
        #expect(try eval("$formatBase(100, 2)", nil) == "1100100")
        #expect(try eval("$formatBase(2555, 16)", nil) == "9fb")
        #expect(try eval("$formatInteger(1999, 'I')", nil) == "MCMXCIX")
        #expect(try eval("$parseInteger('12,345,678', '#,##0')", nil) == 12_345_678)
        #expect(try eval("$parseInteger('MCMXCIX', 'I')", nil) == 1999)
        let random = try #require(try eval("$random()", nil)?.doubleValue)
        #expect(random >= 0 && random < 1)
    }

    @Test func aggregation() throws {
        #expect(try eval("$sum([5, 1, 3, 7, 4])", nil) == 20)
        #expect(try eval("$max([5, 1, 3, 7, 4])", nil) == 7)
        #expect(try eval("$min([5, 1, 3, 7, 4])", nil) == 1)
        #expect(try eval("$average([5, 1, 3, 7, 4])", nil) == 4)
        #expect(try eval("$sum([])", nil) == 0)
        #expect(try eval("$max([])", nil) == nil)
        #expect(failure("$sum([1, 'a'])")?.code == "T0412")
    }

    @Test func booleansAndArrays() throws {
        #expect(try eval("$boolean('Hello World')", nil) == true)
        #expect(try eval("$boolean([0, false])", nil) == false)
        #expect(try eval("$not(true)", nil) == false)
        #expect(try eval("$exists(Surname)") == true)
        #expect(try eval("$exists(Nothing)") == false)
        #expect(try eval("$count([1, 2, 3, 1])", nil) == 4)
        #expect(try eval("$count('hello')", nil) == 1)
        #expect(try eval("$count(Phone)") == 4)
        #expect(try eval("$append([1, 2, 3], [4, 5, 6])", nil) == [1, 2, 3, 4, 5, 6])
        #expect(try eval("$append([1, 2, 3], 4)", nil) == [1, 2, 3, 4])
        #expect(try eval("$append('Hello', 'World')", nil) == ["Hello", "World"])
        #expect(try eval("$sort([3, 1, 2])", nil) == [1, 2, 3])
        #expect(try eval("$sort(Phone, function($l, $r) { $l.number > $r.number }).type") == ["office", "office", "home", "mobile"])
        #expect(try eval("$reverse(['Hello', 'World'])", nil) == ["World", "Hello"])
        #expect(try eval("[1..5] ~> $reverse()", nil) == [5, 4, 3, 2, 1])
        #expect(try eval("$distinct([1, 2, 3, 3, 4, 3, 5])", nil) == [1, 2, 3, 4, 5])
        #expect(try eval("$zip([1, 2, 3], [4, 5, 6])", nil) == [[1, 4], [2, 5], [3, 6]])
        #expect(try eval("$zip([1, 2, 3], [4, 5], [7, 8, 9])", nil) == [[1, 4, 7], [2, 5, 8]])
        #expect(try eval("$count($shuffle([1..10]))", nil) == 10)
    }

    @Test func objects() throws {
        #expect(try eval("$keys(Address)") == ["Street", "City", "Postcode"])
        #expect(try eval("$lookup(Address, 'City')") == "Winchester")
        #expect(try eval("$spread({'a': 1, 'b': 2})", nil) == [["a": 1], ["b": 2]])
        #expect(try eval("$merge([{'a': 1}, {'b': 2}])", nil) == ["a": 1, "b": 2])
        #expect(try eval("$each(Address, function($v, $k) { $k & ': ' & $v })") == ["Street: Hursley Park", "City: Winchester", "Postcode: SO21 2JN"])
        #expect(try eval("$sift(Address, function($v, $k) { $k ~> $contains(/^S/) })") == ["Street": "Hursley Park"])
        #expect(try eval("$type(Address)") == "object")
        #expect(try eval("[$type(1), $type('a'), $type(null), $type([]), $type($sum)]", nil) == ["number", "string", "null", "array", "function"])
        #expect(failure("$error('nope')")?.message == "nope")
        #expect(failure("$assert(1 = 2, 'not equal')")?.message == "not equal")
    }

    @Test func higherOrder() throws {
        #expect(try eval("$map([1, 2, 3], $string)", nil) == ["1", "2", "3"])
        #expect(try eval("$map(Email.address, function($v, $i, $a) { 'Item ' & ($i + 1) & ' of ' & $count($a) & ': ' & $v })[0]") == "Item 1 of 4: fred.smith@my-work.com")
        #expect(try eval("$filter([1..6], function($v) { $v % 2 = 0 })", nil) == [2, 4, 6])
        #expect(try eval("$single(Phone, function($v) { $v.type = 'mobile' }).number") == "077 7700 1234")
        #expect(failure("$single(Phone, function($v) { $v.type = 'office' })")?.code == "D3138")
        #expect(try eval("$reduce([1..5], function($i, $j) { $i * $j })", nil) == 120)
        #expect(try eval("$reduce([1..5], function($i, $j) { $i + $j }, 10)", nil) == 25)
    }

    @Test func dates() throws {
        #expect(try eval("$fromMillis(1510067557121)", nil) == "2017-11-07T15:12:37.121Z")
        #expect(try eval("$toMillis('2017-11-07T15:07:54.972Z')", nil) == 1_510_067_274_972)
        #expect(try eval("$toMillis('2017-11-07T16:07:54.972+01:00')", nil) == 1_510_067_274_972)
        var random = SystemRandomNumberGenerator()
        let now = try JSONataExpression("[$now(), $millis()]").evaluate(nil, nowMillis: 1_510_067_557_121, random: &random)
        #expect(now == ["2017-11-07T15:12:37.121Z", 1_510_067_557_121])
        #expect(failure("$toMillis('yesterday')")?.code == "D3110")
    }

    @Test func hostFunctions() throws {
        let double = JSONataFunction(name: "double", maximumArguments: 1) { arguments, _ throws(JSONataError) in
            guard case .number(let n)? = arguments.first ?? nil else { throw JSONataError("T0410", "double needs a number") }
            return .number(n * 2)
        }
        var random = SystemRandomNumberGenerator()
        let result = try JSONataExpression("$map([1, 2], $double)").evaluate(nil, functions: ["double": double], random: &random)
        #expect(result == [2, 4])
        #expect(failure("$eval('1')")?.code == "T1006")
    }
}

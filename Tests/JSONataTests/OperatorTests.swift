import JSON
import JSONata
import Testing

/// Operators, conditionals, blocks, variables and lambdas.
@Suite struct OperatorTests {
    @Test func arithmetic() throws {
        #expect(try eval("5 + 2", nil) == 7)
        #expect(try eval("5 - 2 * 3", nil) == -1)
        #expect(try eval("(5 - 2) * 3", nil) == 9)
        #expect(try eval("5 / 2", nil) == 2.5)
        #expect(try eval("5 % 2", nil) == 1)
        #expect(try eval("-5 % 2", nil) == -1)
        #expect(try eval("-Age") == -28)
        #expect(try eval("Age + Nothing") == nil)
        #expect(failure("'a' + 1")?.code == "T2001")
        #expect(failure("1 + 'a'")?.code == "T2002")
        #expect(failure("1/0")?.code == "D1001")
    }

    @Test func comparison() throws {
        #expect(try eval("Age = 28") == true)
        #expect(try eval("Age != 28") == false)
        #expect(try eval("'a' < 'b'", nil) == true)
        #expect(try eval("Age >= 18 and Age < 30") == true)
        #expect(try eval("Nothing = Nothing") == false)
        #expect(try eval("Nothing > 1") == nil)
        #expect(try eval("{'a': 1, 'b': [1, 2]} = {'b': [1, 2], 'a': 1}", nil) == true)
        #expect(try eval("'home' in Phone.type") == true)
        #expect(try eval("3 in [1, 2]", nil) == false)
        #expect(failure("1 < 'a'")?.code == "T2009")
        #expect(failure("true < 1")?.code == "T2010")
    }

    @Test func stringConcatenation() throws {
        #expect(try eval("FirstName & ' ' & Surname") == "Fred Smith")
        #expect(try eval("5&0&true", nil) == "50true")
        #expect(try eval("'x' & Nothing", nil) == "x")
        #expect(try eval("'sum: ' & (0.1 + 0.2)", nil) == "sum: 0.3")
        #expect(try eval("'obj: ' & {'a': [1, 'b']}", nil) == #"obj: {"a":[1,"b"]}"#)
    }

    @Test func booleanLogicAndConditionals() throws {
        #expect(try eval("Age > 18 ? 'adult' : 'minor'") == "adult")
        #expect(try eval("Age < 18 ? 'minor'") == nil)
        #expect(try eval("true and Nothing", nil) == false)
        #expect(try eval("false or 'x'", nil) == true)
        #expect(try eval("Phone[type='x'] or 0", nil) == false)
    }

    @Test func ranges() throws {
        #expect(try eval("[1..5]", nil) == [1, 2, 3, 4, 5])
        #expect(try eval("[5..1]", nil) == [])
        #expect(failure("[1.5..3]")?.code == "T2003")
    }

    @Test func blocksAndVariables() throws {
        #expect(try eval("($x := 5; $y := $x * 2; $x + $y)", nil) == 15)
        #expect(try eval("$name", nil, bindings: ["name": "Ada"]) == "Ada")
        #expect(try eval("($a := 1; ($a := 2); $a)", nil) == 1)
        #expect(try eval("Phone.$", nil) == nil)
        #expect(try eval("Address.$$.Surname") == "Smith")
    }

    @Test func lambdas() throws {
        #expect(try eval("($factorial := function($x){ $x <= 1 ? 1 : $x * $factorial($x - 1) }; $factorial(4))", nil) == 24)
        #expect(try eval("(λ($x, $y){ $x + $y })(2, 3)", nil) == 5)
        #expect(try eval("($twice := function($f) { function($x){ $f($f($x)) } }; $add3 := function($y){ $y + 3 }; $add6 := $twice($add3); $add6(7))", nil) == 13)
        #expect(try eval("($first5 := $substring(?, 0, 5); $first5('Hello, World'))", nil) == "Hello")
        #expect(try eval("($normalize := $uppercase ~> $trim; $normalize('   Some   Words  '))", nil) == "SOME WORDS")
        #expect(try eval("function($a)<n:n>{ $a * 2 }(21)", nil) == 42)
        #expect(try eval("Address.City ~> $uppercase()") == "WINCHESTER")
        #expect(failure("($f := function($x){ $f($x) }; $f(1))")?.code == "U1001")
        #expect(failure("Phone.foo()")?.code == "T1006")
        #expect(failure("uppercase('x')")?.code == "T1005")
    }

    @Test func syntaxErrorsCarryTheirPosition() throws {
        #expect(failure("Phone[")?.code == "S0207")
        #expect(failure("(1; 2")?.code == "S0203")
        let unclosed = failure("'abc")
        #expect(unclosed?.code == "S0101")
        #expect(unclosed?.position == 0)
        let stray = failure("Age +")
        #expect(stray?.code == "S0207")
        #expect(stray?.position == 5)
        #expect(failure("1 2")?.code == "S0201")
        #expect(failure("a.5")?.code == "S0213")
        #expect(failure("%.a")?.code == "S0217")
    }
}

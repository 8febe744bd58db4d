import JSON
import JSONata
import Testing

/// Navigation, predicates, wildcards and grouping, with the outputs jsonata.org documents.
@Suite struct PathTests {
    @Test func simpleQueries() throws {
        #expect(try eval("Surname") == "Smith")
        #expect(try eval("Age") == 28)
        #expect(try eval("Address.City") == "Winchester")
        #expect(try eval("Other.Misc") == .null)
        #expect(try eval("Other.Nothing") == nil)
        #expect(try eval("Other.`Over 18 ?`") == true)
        #expect(try eval(#"Other."Alternative.Address".City"#) == "London")
    }

    @Test func arrays() throws {
        #expect(try eval("Phone[0]") == json(#"{"type":"home","number":"0203 544 1234"}"#))
        #expect(try eval("Phone[1].number") == "01962 001234")
        #expect(try eval("Phone[-1].type") == "mobile")
        #expect(try eval("Phone[-2].number") == "01962 001235")
        #expect(try eval("Phone[8]") == nil)
        #expect(try eval("Phone.number") == ["0203 544 1234", "01962 001234", "01962 001235", "077 7700 1234"])
        // A predicate after a step applies to each of its inputs; in parentheses, to the whole.
        #expect(try eval("Phone.number[0]") == ["0203 544 1234", "01962 001234", "01962 001235", "077 7700 1234"])
        #expect(try eval("(Phone.number)[0]") == "0203 544 1234")
        #expect(try eval("Phone[[0..1]].type") == ["home", "office"])
        #expect(try eval("Email.address") == ["fred.smith@my-work.com", "fsmith@my-work.com", "freddy@my-social.com", "frederic.smith@very-serious.com"])
    }

    @Test func topLevelArrays() throws {
        let input: JSONValue = [["ref": [1, 2]], ["ref": [3, 4]]]
        #expect(try eval("$[0]", input) == ["ref": [1, 2]])
        #expect(try eval("$[0].ref", input) == [1, 2])
        #expect(try eval("$[0].ref[0]", input) == 1)
        #expect(try eval("$.ref", input) == [1, 2, 3, 4])
        #expect(try eval("ref", input) == [1, 2, 3, 4])
    }

    @Test func predicates() throws {
        #expect(try eval("Phone[type='mobile'].number") == "077 7700 1234")
        #expect(try eval("Phone[type='office'].number") == ["01962 001234", "01962 001235"])
        #expect(try eval("Phone[type='fax']") == nil)
        #expect(try eval("Email[type='work'].address[1]") == "fsmith@my-work.com")
        #expect(try eval("Phone[number = '077 7700 1234' or type = 'home'].type") == ["home", "mobile"])
    }

    @Test func singletonArrays() throws {
        #expect(try eval("Phone[type='mobile'].number[]") == ["077 7700 1234"])
        #expect(try eval("Address.City[]") == ["Winchester"])
    }

    @Test func wildcardsAndDescendants() throws {
        #expect(try eval("Address.*") == ["Hursley Park", "Winchester", "SO21 2JN"])
        #expect(try eval("*.Postcode") == "SO21 2JN")
        #expect(try eval("**.Postcode") == ["SO21 2JN", "E1 6RF"])
    }

    @Test func constructors() throws {
        #expect(try eval("Phone{type: number}") == json(#"{"home":"0203 544 1234","office":["01962 001234","01962 001235"],"mobile":"077 7700 1234"}"#))
        #expect(try eval("Phone.{type: number}") == json(#"[{"home":"0203 544 1234"},{"office":"01962 001234"},{"office":"01962 001235"},{"mobile":"077 7700 1234"}]"#))
        #expect(try eval("[Address, Other.`Alternative.Address`].City") == ["Winchester", "London"])
        #expect(try eval("Email.[address]") == json(#"[["fred.smith@my-work.com","fsmith@my-work.com"],["freddy@my-social.com","frederic.smith@very-serious.com"]]"#))
        #expect(try eval("[1, [2, 3], 4..6]", nil) == json("[1,[2,3],4,5,6]"))
        #expect(try eval("{'count': $count(Phone), 'first': Phone[0].type}") == ["count": 4, "first": "home"])
    }

    @Test func orderBy() throws {
        let input = json(#"{"items":[{"n":"b","p":3},{"n":"a","p":1},{"n":"c","p":3},{"n":"d","p":2}]}"#)
        #expect(try eval("items^(p).n", input) == ["a", "d", "b", "c"])
        #expect(try eval("items^(>p, n).n", input) == ["b", "c", "d", "a"])
        #expect(try eval("items^(<n)[0].n", input) == "a")
    }

    @Test func stringSteps() throws {
        #expect(try eval("Address.(Street & ', ' & City)") == "Hursley Park, Winchester")
        #expect(try eval("Phone.(type & ':' & number)[0]") == ["home:0203 544 1234", "office:01962 001234", "office:01962 001235", "mobile:077 7700 1234"])
        #expect(try eval("(Phone.(type & ':' & number))[0]") == "home:0203 544 1234")
    }
}

import Foundation
import Testing
@testable import TentacleCore

private func matches(_ query: String, _ attributes: [String: NGSIValue]) throws -> Bool {
    try NGSIQuery.parse(query).matches(attributes)
}

/// The message the query is refused with, or nil when it parses.
private func refusal(_ query: String) -> String? {
    do {
        _ = try NGSIQuery.parse(query)
        return nil
    } catch {
        #expect(error.parameter == "q")
        return error.message
    }
}

private let reading: [String: NGSIValue] = [
    "temperature": .number(20),
    "offset": .number(-3),
    "name": .string("Smart Lamp"),
    "quote": .string(#"say "hi" \ bye"#),
    "on": .bool(true),
    "observedAt": .string("2026-12-03T10:00:00Z"),
    "tags": .array([.string("red"), .string("blue")]),
    "levels": .array([.number(1), .number(10)]),
    "empty": .array([]),
    "nothing": .null,
    "address": .object(["city": .string("Heidelberg"), "geo": .object(["zip": .number(69117)])]),
]

@Suite struct NGSIQueryTests {
    // MARK: comparisons

    @Test(arguments: [
        ("temperature==20", true), ("temperature==21", false), ("temperature==20.0", true), ("temperature==2e1", true),
        ("temperature==2.0E+1", true), ("temperature!=20", false), ("temperature!=21", true),
        ("temperature>19", true), ("temperature>20", false), ("temperature>=20", true), ("temperature>=20.5", false),
        ("temperature<21", true), ("temperature<20", false), ("temperature<=20", true), ("temperature<=19.99", false),
        ("offset==-3", true), ("offset<-2.5", true), ("offset>-3", false),
    ])
    func comparesNumbers(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test(arguments: [
        (#"name=="Smart Lamp""#, true), (#"name=="smart lamp""#, false), (#"name!="Lamp""#, true), (#"name!="Smart Lamp""#, false),
        (#"name>"Smart""#, true), (#"name<"Smart""#, false), (#"name>="Smart Lamp""#, true), (#"name<="T""#, true),
        (#"quote=="say \"hi\" \\ bye""#, true), (#"name=="""#, false),
    ])
    func comparesStrings(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test(arguments: [("on==true", true), ("on==false", false), ("on!=false", true), ("on!=true", false)])
    func comparesBooleans(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test(arguments: [
        #"temperature=="20""#, #"temperature!="20""#, "name==3", "name!=3", "on==1", "on!=1", "temperature==true",
        "temperature!=true", "name>1", "nothing==1", "nothing!=1", "address==1", "address!=1", "temperature~=2",
        "temperature!~=2", "name==2026-12-03T10:00:00Z", "name!=2026-12-03T10:00:00Z", "temperature>2026-12-03T10:00:00Z",
    ])
    func aMismatchOfKindsIsFalse(query: String) throws {
        #expect(try !matches(query, reading))
    }

    @Test(arguments: [
        "missing==1", "missing!=1", "missing>1", "missing<1", "missing~=x", "missing!~=x", "missing==1..2",
        "missing!=1..2", "missing==1,2", "missing!=1,2", "missing", "address.missing==1", "address.missing!=1",
    ])
    func aMissingAttributeFailsEveryComparison(query: String) throws {
        #expect(try !matches(query, reading))
    }

    // MARK: logic

    @Test(arguments: [
        (1.0, 0.0, 0.0, true), (0.0, 2.0, 0.0, false), (0.0, 2.0, 3.0, true), (0.0, 0.0, 3.0, false), (1.0, 2.0, 3.0, true),
    ])
    func andBindsTighterThanOr(a: Double, b: Double, c: Double, expected: Bool) throws {
        let attributes: [String: NGSIValue] = ["a": .number(a), "b": .number(b), "c": .number(c)]
        #expect(try matches("a==1|b==2;c==3", attributes) == expected)
        #expect(try matches("b==2;c==3|a==1", attributes) == expected)
        #expect(try matches("a==1|(b==2;c==3)", attributes) == expected)
    }

    @Test(arguments: [
        (1.0, 0.0, 0.0, false), (1.0, 0.0, 3.0, true), (0.0, 2.0, 3.0, true), (0.0, 0.0, 3.0, false),
    ])
    func parenthesesGroup(a: Double, b: Double, c: Double, expected: Bool) throws {
        let attributes: [String: NGSIValue] = ["a": .number(a), "b": .number(b), "c": .number(c)]
        #expect(try matches("(a==1|b==2);c==3", attributes) == expected)
        #expect(try matches("((a==1)|(((b==2))));(c==3)", attributes) == expected)
        #expect(try matches(" ( a == 1 | b == 2 ) ; c == 3 ", attributes) == expected)
    }

    @Test func chainsOfTermsDoNotRecurse() throws {
        let query = Array(repeating: "temperature==20", count: 250).joined(separator: ";")
        #expect(try matches(query, reading))
        #expect(try !matches(query + ";temperature==21", reading))
        #expect(try matches(Array(repeating: "temperature==21", count: 250).joined(separator: "|") + "|on", reading))
    }

    // MARK: lists and ranges

    @Test(arguments: [
        ("temperature==19,20,21", true), ("temperature==1,2", false), ("temperature!=1,2", true), ("temperature!=1,20", false),
        (#"name=="x","Smart Lamp""#, true), (#"temperature=="x",20"#, true), (#"temperature!="x",20"#, false),
        (#"temperature!="x",21"#, true), (#"temperature!="x","y""#, false), ("on==false,true", true),
    ])
    func comparesWithLists(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test(arguments: [
        ("temperature==20..25", true), ("temperature==15..20", true), ("temperature==20..20", true),
        ("temperature==20.5..25", false), ("temperature==-5..19.9", false), ("temperature!=20..25", false),
        ("temperature!=21..25", true), ("offset==-5..-1", true), (#"name=="A".."T""#, true), (#"name=="T".."Z""#, false),
        (#"name!="T".."Z""#, true), ("temperature==1 .. 30", true),
    ])
    func comparesWithRanges(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    // MARK: times

    @Test(arguments: [
        ("observedAt==2026-12-03T10:00:00Z", true), ("observedAt==2026-12-03T11:00:00+01:00", true),
        ("observedAt==2026-12-03T10:00:00.000Z", true), ("observedAt==2026-12-03T10:00:00.001Z", false),
        ("observedAt!=2026-12-03T10:00:01Z", true), ("observedAt>2026-12-03T09:59:59Z", true),
        ("observedAt>2026-12-03T10:00:00Z", false), ("observedAt>=2026-12-03T10:00:00Z", true),
        ("observedAt<2027-01-01T00:00:00Z", true), ("observedAt<=2026-12-03T09:00:00-01:00", true),
        ("observedAt==2026-12-01T00:00:00Z..2026-12-31T23:59:59.999Z", true),
        ("observedAt==2026-12-03T10:00:00.5Z..2026-12-31T00:00:00Z", false),
        ("observedAt!=2026-11-01T00:00:00Z..2026-11-30T00:00:00Z", true),
        ("observedAt==2026-01-01T00:00:00Z,2026-12-03T10:00:00Z", true),
        (#"observedAt=="2026-12-03T10:00:00Z""#, true), (#"observedAt=="2026-12-03T11:00:00+01:00""#, false),
    ])
    func comparesTimes(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test func aStringThatIsNoTimeDoesNotCompareWithOne() throws {
        #expect(try !matches("name>2000-01-01T00:00:00Z", reading))
        #expect(try !matches("name!=2000-01-01T00:00:00Z", reading))
    }

    // MARK: patterns

    @Test(arguments: [
        ("name~=^Smart", true), ("name~=Lamp$", true), ("name~=amp", true), ("name~=^Lamp", false), ("name~=(?i)^smart lamp$", true),
        ("name!~=^Lamp", true), ("name!~=Smart", false), (#"name~="^(Dumb|Smart)""#, true), (#"name~="x|La""#, true),
        ("name~=^(Dumb|Smart);on", true), ("(name~=^S)|missing", true), ("name~=[;|)]|on", true), (#"name~=t\ L"#, true),
        ("name~=^S.*p ;on", true), (#"name~="\"""#, false), (#"quote~="\"hi\"""#, true), (#"quote~="\\ bye""#, true), (#"quote~="\\""#, true),
        ("tags~=^bl", true), ("tags!~=^bl", false), ("tags!~=^g", true), ("levels~=1", false), ("levels!~=1", false),
    ])
    func matchesPatterns(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test func patternsCompileOnceAndCompareBySource() throws {
        #expect(try NGSIQuery.parse("name~=^S") == NGSIQuery.parse("name~=^S"))
        #expect(try NGSIQuery.parse("name~=^S") != NGSIQuery.parse("name~=^T"))
        #expect(try Set([NGSIQuery.parse("name~=^S"), NGSIQuery.parse("name~=^S")]).count == 1)
    }

    // MARK: existence

    @Test(arguments: [
        ("temperature", true), ("missing", false), ("!missing", true), ("!temperature", false), ("nothing", true),
        ("temperature;!missing", true), ("missing|on", true), ("address.city", true), ("!address.city", false),
        ("address[geo.zip]", true), ("address[geo.zap]", false), ("!address[geo.zap]", true), ("! missing", true),
    ])
    func testsExistence(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    // MARK: arrays

    @Test(arguments: [
        (#"tags=="red""#, true), (#"tags=="green""#, false), (#"tags!="red""#, false), (#"tags!="green""#, true),
        (#"tags=="green","blue""#, true), (#"tags!="green","blue""#, false), ("levels>5", true), ("levels>10", false),
        ("levels<1", false), ("levels==2..9", false), ("levels==5..10", true), ("levels!=2..9", true), ("levels!=1..2", false),
        ("empty==1", false), ("empty!=1", false), ("empty", true), (#"tags==1"#, false), (#"tags!=1"#, false),
    ])
    func anArrayMatchesThroughItsElements(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test func anArrayOfMixedKindsJudgesTheComparableElements() throws {
        let attributes: [String: NGSIValue] = ["mixed": .array([.string("x"), .number(3), .null])]
        #expect(try matches("mixed==3", attributes))
        #expect(try matches("mixed!=4", attributes))
        #expect(try !matches("mixed!=3", attributes))
        #expect(try matches(#"mixed!="y""#, attributes))
        #expect(try !matches("mixed!=true", attributes))
    }

    // MARK: paths

    @Test(arguments: [
        (#"address.city=="Heidelberg""#, true), (#"address[city]=="Heidelberg""#, true), ("address.geo.zip==69117", true),
        ("address[geo.zip]==69117", true), ("address.geo[zip]==69117", true), ("address[geo][zip]==69117", true),
        ("address.geo.zip>70000", false), ("address.geo.zip.more==1", false), ("name.sub==1", false), ("tags.red==1", false),
        ("address.city", true), ("address.town", false),
    ])
    func followsPaths(query: String, expected: Bool) throws {
        #expect(try matches(query, reading) == expected)
    }

    @Test func namesMayHoldColonsDashesAndDigits() throws {
        let attributes: [String: NGSIValue] = ["ngsi-ld:pm2_5": .number(12), "_x1": .bool(true)]
        #expect(try matches("ngsi-ld:pm2_5<25;_x1==true", attributes))
    }

    @Test func listsTheTopLevelAttributeNames() throws {
        let query = try NGSIQuery.parse("address.city==1|(temperature>2;!missing);tags[x]|observedAt==2026-12-03T10:00:00Z")
        #expect(query.attributeNames == ["address", "temperature", "missing", "tags", "observedAt"])
    }

    // MARK: refusals

    @Test(arguments: [
        ("", "is empty"),
        ("   ", "is empty"),
        ("(temperature==20", "at character 1: '(' is never closed"),
        ("((a);(b)", "at character 1: '(' is never closed"),
        ("temperature==20)", "at character 16: ')' has no matching '('"),
        ("(a))", "at character 4: ')' has no matching '('"),
        ("(a b)", "at character 4: unexpected 'b': expected ';', '|' or ')'"),
        ("temperature=20", "at character 12: unknown operator '=': use ==, !=, >, >=, <, <=, ~= or !~="),
        ("temperature===20", "at character 12: unknown operator '==='"),
        ("temperature=>20", "at character 12: unknown operator '=>'"),
        ("temperature<>20", "at character 12: unknown operator '<>'"),
        ("temperature!20", "at character 12: unknown operator '!'"),
        ("temperature>", "at the end: expected a value after '>'"),
        ("temperature>;on", "at character 13: expected a value after '>'"),
        ("temperature==", "at the end: expected a value after '=='"),
        ("temperature== |on", "at character 15: expected a value after '=='"),
        ("temperature==1,", "at the end: expected a value after ','"),
        ("temperature==1..", "at the end: expected a value after '..'"),
        ("temperature==..5", "at character 14: expected a value after '=='"),
        ("temperature==20 on", "at character 17: unexpected 'o': expected ';', '|' or the end"),
        (#"name=="Smart"x"#, "at character 14: unexpected 'x': expected ';', '|' or the end"),
        (#"name=="Smart"#, "at character 7: the string is never closed"),
        (#"name=="Smart\""#, "at character 7: the string is never closed"),
        ("name==Smart", "at character 7: 'Smart' is not a value: quote strings"),
        ("observedAt>2026-13-03T10:00:00Z", "at character 12: '2026-13-03T10:00:00Z' is not a value"),
        ("observedAt>2026-12-03", "at character 12: '2026-12-03' is not a value"),
        ("temperature==1e999", "at character 14: 1e999 is out of range for a number"),
        ("temperature==0x10", "at character 14: '0x10' is not a value"),
        ("temperature==nan", "at character 14: 'nan' is not a value"),
        ("==20", "at character 1: expected an attribute name"),
        ("1a==20", "at character 1: expected an attribute name"),
        ("temperature==20;", "at the end: expected an attribute name"),
        ("temperature==20;;on", "at character 17: expected an attribute name"),
        ("temperature==20|", "at the end: expected an attribute name"),
        ("()", "at character 2: expected an attribute name"),
        ("!", "at the end: expected an attribute name"),
        ("address.", "at the end: expected a sub-property name after '.'"),
        ("address[geo", "at the end: expected ']'"),
        ("address[", "at the end: expected a key after '['"),
        ("address[geo.]", "at character 13: expected a key after '.'"),
        ("!temperature==20", "at character 13: '!temperature' tests that the attribute is absent and takes no comparison"),
        ("name~=", "at the end: expected a regular expression after '~='"),
        ("name!~=;on", "at character 8: expected a regular expression after '!~='"),
        ("name~=(", "at character 7: '(' is not a valid regular expression"),
        (#"name~="[a""#, "at character 7: '[a' is not a valid regular expression"),
        (#"temperature==1.."x""#, "at character 15: a range needs two values of one kind, not a number and a string"),
        ("temperature==1..2026-12-03T10:00:00Z", "at character 15: a range needs two values of one kind, not a number and a date-time"),
        ("on==false..true", "at character 10: a range takes numbers, strings or date-times, not true or false"),
        ("temperature==5..1", "at character 15: the range starts after it ends"),
        ("temperature==1,2..3", "at character 17: a list cannot hold a range"),
        ("temperature==1..2,3", "at character 18: a range cannot be part of a list"),
        ("temperature>1,2", "at character 14: '>' takes one value: lists and ranges go with == and !="),
        ("temperature<=1..2", "at character 15: '<=' takes one value"),
        ("on>true", "at character 4: '>' compares numbers, strings and date-times, not true or false"),
        (#"name=="é" x"#, "at character 11: unexpected 'x'"),
    ])
    func refuses(query: String, message: String) {
        let refused = refusal(query)
        #expect(refused?.hasPrefix(message) == true, "\(refused ?? "accepted")")
    }

    @Test func limitsTheLength() throws {
        let longest = #"a==""# + String(repeating: "x", count: NGSIQuery.maxLength - 5) + #"""#
        #expect(try NGSIQuery.parse(longest).attributeNames == ["a"])
        #expect(refusal(longest + "1") == "is longer than 4096 characters")
        // Characters, not bytes: 4096 accented letters in a string still fit.
        let accented = #"a==""# + String(repeating: "é", count: NGSIQuery.maxLength - 5) + #"""#
        #expect(try NGSIQuery.parse(accented).matches(["a": .string(String(repeating: "é", count: NGSIQuery.maxLength - 5))]))
    }

    @Test func limitsTheNesting() throws {
        let deepest = String(repeating: "(", count: NGSIQuery.maxDepth) + "on" + String(repeating: ")", count: NGSIQuery.maxDepth)
        #expect(try matches(deepest, reading))
        #expect(refusal("(" + deepest + ")") == "at character 33: parentheses nest deeper than 32")
        #expect(refusal(String(repeating: "(", count: 2000)) == "at character 33: parentheses nest deeper than 32")
    }

    @Test func errorsDescribeTheParameter() {
        let error = NGSIQueryError(parameter: "q", message: "is empty")
        #expect(error.description == "q: is empty")
    }

    // MARK: robustness

    @Test func randomInputNeverCrashes() {
        var random = SplitMix64(seed: 0x4E47_5349)
        let alphabet = Array(#"ab.[](); |!=<>~",.-1e9TZ:\+x"#.utf8)
        let attributes: [String: NGSIValue] = [
            "a": .number(1), "b": .array([.string("x"), .object(["a": .number(2)])]), "x": .string("2026-12-03T10:00:00Z"),
        ]
        var parsed = 0
        for round in 0..<20_000 {
            let length = random.int(below: 40)
            var bytes: [UInt8] = []
            for _ in 0..<length {
                bytes.append(round % 4 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[random.int(below: alphabet.count)])
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if let query = try? NGSIQuery.parse(text) {
                parsed += 1
                _ = query.matches(attributes)
                _ = query.attributeNames
            }
        }
        // The grammar-shaped inputs reach past the first refusal often enough to mean something.
        #expect(parsed > 100)
    }

    // MARK: values from JSON

    @Test func readsJSONSerializationOutput() throws {
        let json = #"{"t":true,"f":false,"one":1,"zero":0,"half":0.5,"s":"x","n":null,"list":[1,"a",[true]],"o":{"k":-2}}"#
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let value = try #require(NGSIValue(json: object))
        let expected: NGSIValue = .object([
            "t": .bool(true), "f": .bool(false), "one": .number(1), "zero": .number(0), "half": .number(0.5), "s": .string("x"),
            "n": .null, "list": .array([.number(1), .string("a"), .array([.bool(true)])]), "o": .object(["k": .number(-2)]),
        ])
        #expect(value == expected)
        let written = try JSONSerialization.data(withJSONObject: value.json)
        #expect(NGSIValue(json: try JSONSerialization.jsonObject(with: written)) == expected)
    }

    @Test func readsSwiftValues() {
        #expect(NGSIValue(json: true) == .bool(true))
        #expect(NGSIValue(json: 1) == .number(1))
        #expect(NGSIValue(json: 2.5) == .number(2.5))
        #expect(NGSIValue(json: "a") == .string("a"))
        #expect(NGSIValue(json: [1, "b"] as [Any]) == .array([.number(1), .string("b")]))
        #expect(NGSIValue(json: ["k": false] as [String: Any]) == .object(["k": .bool(false)]))
        #expect(NGSIValue(json: Date()) == nil)
        #expect(NGSIValue(json: [Date()] as [Any]) == nil)
    }
}

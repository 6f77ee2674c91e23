import Testing
import TentacleCore

private func lines(_ text: String) throws -> [Int] {
    try CSV.parse(text).map(\.line)
}

private func fields(_ text: String) throws -> [[String]] {
    try CSV.parse(text).map(\.fields)
}

@Suite struct CSVTests {
    @Test func emptyTextHasNoRecords() throws {
        #expect(try CSV.parse("").isEmpty)
        #expect(try CSV.parse("\n\r\n").isEmpty)
        #expect(try CSV.parse("\u{FEFF}").isEmpty)
    }

    @Test func plainRecords() throws {
        let records = try CSV.parse("a,b,c\n1,2,3\n")
        #expect(records == [CSVRecord(line: 1, fields: ["a", "b", "c"]), CSVRecord(line: 2, fields: ["1", "2", "3"])])
    }

    @Test(arguments: ["a,b\n1,2", "a,b\r\n1,2", "a,b\r1,2", "a,b\r\n1,2\r\n", "a,b\n1,2\n"])
    func everyLineEndingAndOptionalFinalNewline(_ text: String) throws {
        #expect(try fields(text) == [["a", "b"], ["1", "2"]])
        #expect(try lines(text) == [1, 2])
    }

    @Test func emptyFields() throws {
        #expect(try fields("a,,c\n,\n,x") == [["a", "", "c"], ["", ""], ["", "x"]])
    }

    @Test func trailingCommaMakesAnEmptyLastField() throws {
        #expect(try fields("a,b,") == [["a", "b", ""]])
        #expect(try fields("a,b,\n") == [["a", "b", ""]])
    }

    @Test func fieldsAreNotTrimmed() throws {
        #expect(try fields(" a , b ") == [[" a ", " b "]])
    }

    @Test func quotedFieldsMayHoldCommasAndEscapedQuotes() throws {
        #expect(try fields(#""a,b","say ""hi""",c"#) == [["a,b", #"say "hi""#, "c"]])
    }

    @Test func quotedEmptyFields() throws {
        #expect(try fields(#""",x,"""#) == [["", "x", ""]])
        #expect(try fields(#""""""#) == [[#"""#]])
    }

    @Test func quotedNewlinesStayInTheFieldAndCountAsLines() throws {
        let text = "name,notes\nPole,\"first\nsecond\r\nthird\"\nBoard,x\n"
        let records = try CSV.parse(text)
        #expect(records.map(\.fields) == [["name", "notes"], ["Pole", "first\nsecond\r\nthird"], ["Board", "x"]])
        #expect(records.map(\.line) == [1, 2, 5])
    }

    @Test func loneCarriageReturnInsideQuotesCountsAsALine() throws {
        #expect(try lines("\"a\rb\"\nc") == [1, 3])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let text = "\n\na,b\n\n\r\n1,2\n\n"
        #expect(try fields(text) == [["a", "b"], ["1", "2"]])
        #expect(try lines(text) == [3, 6])
    }

    @Test func byteOrderMarkIsDropped() throws {
        #expect(try fields("\u{FEFF}id,name\n1,x") == [["id", "name"], ["1", "x"]])
        #expect(try fields("a,\u{FEFF}b") == [["a", "\u{FEFF}b"]])
    }

    @Test func multiByteTextIsKept() throws {
        #expect(try fields("人民广场,Café,\"站,台\"\n🚏,x,y") == [["人民广场", "Café", "站,台"], ["🚏", "x", "y"]])
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() {
        let text = "a,b\n1,2\n3,\"open\nstill open\nand more"
        #expect(throws: CSVError(code: .unterminatedQuote, line: 3, field: 2)) { try CSV.parse(text) }
    }

    @Test func quoteInsideAnUnquotedFieldIsStray() {
        #expect(throws: CSVError(code: .strayQuote, line: 2, field: 2)) { try CSV.parse("a,b\n1,2\"3\n") }
        #expect(throws: CSVError(code: .strayQuote, line: 1, field: 1)) { try CSV.parse(#" "a",b"#) }
    }

    @Test func textAfterAClosingQuoteIsStray() {
        #expect(throws: CSVError(code: .strayQuote, line: 1, field: 3)) { try CSV.parse(#"a,b,"c"d"#) }
    }

    @Test func strayQuoteAfterAQuotedNewlineNamesItsOwnLine() {
        #expect(throws: CSVError(code: .strayQuote, line: 3, field: 1)) { try CSV.parse("h\n\"x\ny\"z\n") }
    }

    @Test func errorsDescribeTheirPlace() {
        let error = CSVError(code: .unterminatedQuote, line: 4, field: 2)
        #expect(error.description.hasPrefix("line 4, field 2: "))
        #expect(error.message != CSVError(code: .strayQuote, line: 4, field: 2).message)
    }

    @Test func largeInputKeepsLineNumbers() throws {
        let text = (1...5000).map { "\($0),\"n\($0)\nx\"" }.joined(separator: "\n")
        let records = try CSV.parse(text)
        #expect(records.count == 5000)
        #expect(records.last == CSVRecord(line: 9999, fields: ["5000", "n5000\nx"]))
    }
}

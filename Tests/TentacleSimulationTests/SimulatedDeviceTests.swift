import TentacleAgent
import TentacleSimulation
import Testing

@Suite struct SimulatedDeviceTests {
    @Test func tokensFilesAreReadAndCheckedLineByLine() throws {
        let devices = try SimulatedDevice.parse(tokensFile: "display_id,token\n# comment\na,tdv_1\n\nb , tdv_2\n")
        #expect(devices == [SimulatedDevice(id: "a", token: "tdv_1"), SimulatedDevice(id: "b", token: "tdv_2")])
        for (text, line) in [("a,t\nb\n", "line 2"), ("a,t\na,u\n", "line 2"), ("a,\n", "line 1")] {
            #expect {
                _ = try SimulatedDevice.parse(tokensFile: text)
            } throws: { error in
                (error as? AgentError)?.description.contains(line) == true
            }
        }
    }
}

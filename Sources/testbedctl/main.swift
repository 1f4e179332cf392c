import TestbedCLI

await TestbedCtl.runAsRoot()

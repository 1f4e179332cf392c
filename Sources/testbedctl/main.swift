import TestbedCLI

TestbedCtl.start()

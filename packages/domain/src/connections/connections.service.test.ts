import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "../connections/connections.service.ts";

describe("WordPress site addresses", () => {
  it("treats loopback, private, link-local and CGNAT addresses as private", () => {
    for (const ip of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "::127.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "198.18.0.1",
      "224.0.0.1",
      "ff02::1",
      "not-an-ip",
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
  });

  it("lets public addresses through", () => {
    for (const ip of ["93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700::6810:85e5", "::ffff:93.184.216.34"]) {
      expect(isPrivateAddress(ip), ip).toBe(false);
    }
  });
});

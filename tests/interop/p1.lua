-- p1.lua - hands a raw P1 MTS-APDU, written as one USER0 (link type 147)
-- packet, to Wireshark's X.411 dissector:
--   tshark -X lua_script:tests/interop/p1.lua -r apdu.pcap -V
local p = Proto("mmguardp1", "P1 APDU")
function p.dissector(tvb, pinfo, tree)
  DissectorTable.get("ber.syntax"):get_dissector("P1 Message"):call(tvb, pinfo, tree)
end
DissectorTable.get("wtap_encap"):add(wtap.USER0, p)

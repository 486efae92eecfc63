#!/usr/bin/env python3
"""Writes Scenarios/upstream-matrix.yaml: for each policy world, every ordered pair of the nine
pods on TCP 80, with the verdict Kubernetes' NetworkPolicy rules give, computed here from those
rules alone (not from pathsim): a pod selected by a policy of some type takes only what one of
those policies' rules allows in that direction; a pod selected by none takes everything; a
connection needs both the sender's egress and the receiver's ingress. A pod talking to itself
(the upstream matrix's diagonal) stays inside its own network namespace and is left out."""
import os

NAMESPACES, PODS = "xyz", "abc"
IFACES = {
    ("x", "a"): "cali456b416f2bf", ("x", "b"): "cali08041ab898a", ("x", "c"): "calif2775be0092",
    ("y", "a"): "calidac200d72ba", ("y", "b"): "cali665e9bb24dc", ("y", "c"): "calia25a781817d",
    ("z", "a"): "cali2ccdca1a883", ("z", "b"): "calia2d278c49cc", ("z", "c"): "calic92a7ecbd2f",
}

def ip(ns, pod):
    return f"10.65.{NAMESPACES.index(ns) + 1}.{PODS.index(pod) + 1}"

# Each policy: namespace, which pods it selects, its types, and its rules as predicates on the
# peer (namespace, pod) and port.
WORLDS = [
    ("deny-all-ingress-x", "deny-all-ingress", dict(ns="x", selects=lambda p: True, ingress=[], egress=None)),
    ("allow-y-to-xa-80", "allow-ns-y-to-a-80",
     dict(ns="x", selects=lambda p: p == "a", ingress=[lambda ns, pod, port: ns == "y" and port == 80], egress=None)),
    ("egress-only-to-b", "allow-egress-to-b", dict(ns="x", selects=lambda p: True, ingress=None, egress=[lambda ns, pod, port: pod == "b"])),
]

def allowed(policy, direction, me, peer, port):
    """None when the policy does not restrict `me` in this direction, else whether it allows."""
    rules = policy[direction]
    if rules is None or me[0] != policy["ns"] or not policy["selects"](me[1]):
        return None
    return any(rule(peer[0], peer[1], port) for rule in rules)

out = ["# The Kubernetes upstream network-policy e2e \"truth table\" (test/e2e/network/netpol): pods a, b, c",
       "# in namespaces x, y, z (Scenarios/clusters/upstream), one world per policy, and every ordered",
       "# pair on TCP 80. Written by Scenarios/clusters/upstream/make-matrix.py, which computes each",
       "# verdict from Kubernetes' rules on its own; this suite checks pathsim's render and engine agree.",
       "description: Kubernetes upstream network-policy truth tables on TCP 80",
       "worlds:"]
for world, _, _ in WORLDS:
    out += [f"  {world}:", "    cluster: [clusters/upstream/pods.yaml, clusters/upstream/" + world + ".yaml]"]
out.append("cases:")
for world, name, policy in WORLDS:
    for src_ns in NAMESPACES:
        for src_pod in PODS:
            for dst_ns in NAMESPACES:
                for dst_pod in PODS:
                    src, dst = (src_ns, src_pod), (dst_ns, dst_pod)
                    if src == dst:
                        continue
                    egress = allowed(policy, "egress", src, dst, 80)
                    ingress = allowed(policy, "ingress", dst, src, 80)
                    ok = egress is not False and ingress is not False
                    out.append(f"- name: {world} {src_ns}/{src_pod} to {dst_ns}/{dst_pod}")
                    out.append(f"  world: {world}")
                    out.append(f"  packets: [\"in={IFACES[src]} tcp {ip(*src)}:40000 > {ip(*dst)}:80 flags=S\"]")
                    if ok:
                        out.append("  expect: {verdict: accepted, outInterface: " + IFACES[dst] + "}")
                    else:
                        direction = "egress" if egress is False else "ingress"
                        out.append("  expect: {verdict: dropped, cause: end-of-tier, direction: " + direction + f", policy: x/{name}}}")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "upstream-matrix.yaml")
with open(path, "w") as f:
    f.write("\n".join(out) + "\n")

import CalicoModel
import ClusterYAML
import Foundation
import Testing

@Suite struct ListAndFileTests {
    @Test func kubectlListWithIgnoredKinds() throws {
        let yaml = """
        apiVersion: v1
        kind: List
        metadata:
          resourceVersion: ""
        items:
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-1
            namespace: shop
        - apiVersion: v1
          kind: Service
          metadata:
            name: web
          spec:
            ports: [{port: 80}]
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: web
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-2
            namespace: shop
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: web-abc, labels: {kubernetes.io/service-name: web}}
          addressType: IPv4
        """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "all.yaml")
        #expect(cluster.pods.map(\.meta.name) == ["web-1", "web-2"])
        #expect(cluster.pods.map(\.meta.source?.line) == [6, 21])
        // Services and their slices are read (kube-proxy's rules come from them).
        #expect(cluster.services.map(\.meta.qualifiedName) == ["default/web"])
        #expect(cluster.endpointSlices.map(\.serviceName) == ["web"])
        for kind in ["Endpoints", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "ConfigMap", "Secret", "Event"] {
            #expect(ClusterLoader.ignoredKinds.contains(kind))
        }
    }

    @Test func calicoctlListKinds() throws {
        let yaml = """
        apiVersion: projectcalico.org/v3
        kind: NetworkPolicyList
        metadata:
          resourceVersion: "1234"
        items:
        - apiVersion: projectcalico.org/v3
          kind: NetworkPolicy
          metadata:
            name: a
            namespace: shop
          spec:
            selector: all()
        ---
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkPolicyList
        items:
        - apiVersion: projectcalico.org/v3
          kind: GlobalNetworkPolicy
          metadata:
            name: b
        ---
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpointList
        items: []
        ---
        apiVersion: v1
        kind: PodList
        items:
        - metadata:
            name: from-api
        """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "lists.yaml")
        #expect(cluster.calicoPolicies.map(\.meta.qualifiedName) == ["shop/a", "b"])
        #expect(cluster.calicoPolicies.map(\.kind) == [.networkPolicy, .globalNetworkPolicy])
        // A typed list's items may leave out kind and apiVersion, as the API server prints them.
        #expect(cluster.pods.map(\.meta.qualifiedName) == ["default/from-api"])
        #expect(cluster.workloadEndpoints.isEmpty)
    }

    @Test func bareSequenceAndMultipleDocumentsKeepFileOrder() throws {
        let yaml = """
        - apiVersion: v1
          kind: Namespace
          metadata: {name: one}
        - apiVersion: v1
          kind: Namespace
          metadata: {name: two}
        ---
        # a comment-only document follows
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: three}
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Namespace
          metadata: {name: four}
        ...
        """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "multi.yaml")
        #expect(cluster.namespaces.map(\.meta.name) == ["one", "two", "three", "four"])
        #expect(cluster.namespaces.map(\.meta.source) == [1, 4, 10, 17].map { SourceLocation(file: "multi.yaml", line: $0) })
    }

    @Test func emptyInputsGiveAnEmptyCluster() throws {
        for yaml in ["", "\n", "# nothing\n", "---\n", "---\n---\n", "[]\n", "~\n"] {
            #expect(try ClusterLoader.load(yaml: yaml, file: "x") == Cluster(), "\(yaml.debugDescription)")
        }
    }

    @Test func directoriesLoadYAMLFilesRecursivelyInPathOrder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("clusteryaml-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func write(_ relative: String, _ name: String) throws {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(name)\n".write(to: url, atomically: true, encoding: .utf8)
        }
        try write("b.yaml", "b")
        try write("a/z.yml", "a-z")
        try write("a/c/d.yaml", "a-c-d")
        try write("a.yaml", "a")
        try write("c.yaml", "c")
        try write("notes.txt", "ignored")
        try write(".hidden/h.yaml", "hidden")
        try "not: [yaml".write(to: root.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)

        let cluster = try ClusterLoader.load(paths: [root.path])
        #expect(cluster.namespaces.map(\.meta.name) == ["a", "a-c-d", "a-z", "b", "c"])
        #expect(cluster.namespaces.map { $0.meta.source?.file } == ["a.yaml", "a/c/d.yaml", "a/z.yml", "b.yaml", "c.yaml"].map { root.path + "/" + $0 })

        // Files and directories mix, appended in the order given.
        let mixed = try ClusterLoader.load(paths: [root.appendingPathComponent("c.yaml").path, root.appendingPathComponent("a").path])
        #expect(mixed.namespaces.map(\.meta.name) == ["c", "a-c-d", "a-z"])

        // A file named explicitly loads whatever its extension.
        #expect(try ClusterLoader.load(paths: [root.appendingPathComponent("notes.txt").path]).namespaces.map(\.meta.name) == ["ignored"])
    }

    @Test func missingPathsAndEmptyDirectoriesAreErrors() throws {
        let missing = "/nonexistent/pathsim/cluster"
        #expect(throws: ClusterLoadError(file: missing, line: 0, message: "no such file or directory")) {
            try ClusterLoader.load(paths: [missing])
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("clusteryaml-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        do {
            _ = try ClusterLoader.load(paths: [empty.path])
            Issue.record("an empty directory loaded")
        } catch {
            #expect(error.description == "\(empty.path): the directory holds no *.yaml or *.yml files")
        }
    }

    @Test func errorsNameTheFileGiven() throws {
        do {
            _ = try ClusterLoader.load(yaml: "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {hostNetwork: 1}\n", file: "dump/pods.yaml")
            Issue.record("loaded")
        } catch {
            #expect(error.description == "dump/pods.yaml:4: spec.hostNetwork: expected a boolean (true or false), found an integer")
            #expect(error.file == "dump/pods.yaml")
            #expect(error.line == 4)
            #expect(error.message == "spec.hostNetwork: expected a boolean (true or false), found an integer")
        }
    }
}

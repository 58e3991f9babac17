// the extern "C++" pattern of vs.map: ns::twice(int) in V1, ns::other local
namespace ns {
int twice(int x) { return 2 * x; }
int other(int x) { return 3 * x; }
}

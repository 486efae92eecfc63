#include <pcap/pcap.h>
#include <pcap/sll.h>

/* Compiles one public header alone: it must include everything it needs. */
#include DNSFW_TEST_HEADER

int main(void)
{
    return 0;
}

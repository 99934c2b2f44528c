/* Layer guard: on the include path of every layer but host/bind/ and main.c. */
#error "only host/bind/ and host/main.c may include Lua's headers: this file is in a layer that must not know Lua"
